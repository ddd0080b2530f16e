package dev.invariance.examples;

import dev.invariance.cli.InvarianceCommand;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/invariance reproduce all --quick} as a user runs it, with the reproductions found by ServiceLoader from
 * this module: every check of science.md 3.1 (A1.1–A1.4), 3.2 (A2.1–A2.3; E2c and E2d reported), 3.3 (A3.1–A3.3),
 * 3.4 (A4.1–A4.4) and 3.5 (A5.1–A5.3) is printed as one line with its figures, the asserted ones pass (A1.4 and A3.3
 * are report only), exit 0; each experiment
 * writes its figures as PNG and SVG and its HTML
 * report into DIR/&lt;id&gt;/.
 */
class ReproduceCommandTest {
    private static final Pattern CHECK = Pattern.compile("(A\\d\\.\\d) (PASS|FAIL|REPORTED|NOT_APPLICABLE)((?: [a-zA-Z0-9_]+=\\S+)+)");

    @TempDir
    static Path dir;
    private static Run all;

    private record Run(int code, String out, String err) {
    }

    private static Run invariance(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = InvarianceCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void reproduceAll() {
        all = invariance("reproduce", "all", "--quick", "--out", dir.toString());
    }

    @Test
    void everyAssertedCheckPassesAndTheRunExitsZero() {
        assertEquals(0, all.code(), all.out() + all.err());
        Matcher m = CHECK.matcher(all.out());
        StringBuilder seen = new StringBuilder();
        while (m.find()) {
            seen.append(m.group(1)).append(' ').append(m.group(2)).append('\n');
        }
        assertEquals("""
                A1.1 PASS
                A1.2 PASS
                A1.3 PASS
                A1.4 REPORTED
                A2.1 PASS
                A2.2 PASS
                A2.3 PASS
                A3.1 PASS
                A3.2 PASS
                A3.3 PASS
                A4.1 PASS
                A4.2 PASS
                A4.3 PASS
                A4.4 PASS
                A5.1 PASS
                A5.2 PASS
                A5.3 PASS
                """, seen.toString(), all.out());
    }

    @Test
    void aCheckLineHoldsItsFiguresAsNameEqualsValue() {
        assertTrue(Pattern.compile("(?m)^A1\\.1 PASS rho_min=0\\.99\\d\\d a_min=\\d\\.\\d{4} cos=\\d\\.\\d{4} loss=\\S+$")
                .matcher(all.out()).find(), all.out());
    }

    @Test
    void eachReproductionSaysItsTimeAndWhereItsFilesAre() {
        for (String id : List.of("E1", "E2", "E3", "E4", "E5")) {
            assertTrue(Pattern.compile("(?m)^" + id + ": passed in \\d+\\.\\d s; figures and report in "
                    + Pattern.quote(dir.resolve(id).toString()) + " \\(report.html\\)$").matcher(all.out()).find(), all.out());
        }
    }

    @Test
    void figuresAreWrittenAsPngAndSmallSvgWithTheHtmlReport() throws IOException {
        for (String id : List.of("E1", "E2", "E3", "E4", "E5")) {
            Path folder = dir.resolve(id);
            assertTrue(Files.isRegularFile(folder.resolve("report.html")), id);
            List<Path> svgs;
            try (var files = Files.list(folder)) {
                svgs = files.filter(p -> p.toString().endsWith(".svg")).toList();
            }
            assertTrue(svgs.size() >= (id.equals("E3") ? 2 : 3), id + ": " + svgs);
            for (Path svg : svgs) {
                String png = svg.getFileName().toString().replace(".svg", ".png");
                assertTrue(Files.size(folder.resolve(png)) > 0, png);
                assertTrue(Files.size(svg) < 200_000, svg + " is " + Files.size(svg) + " bytes");
                assertTrue(Files.readString(svg, StandardCharsets.UTF_8).contains("</text>"), svg.toString());
            }
        }
    }

    @Test
    void anUnknownIdIsOneLineListingTheKnownOnesAndExitTwo() {
        Run r = invariance("reproduce", "E9", "--quick", "--out", dir.toString());
        assertEquals(2, r.code());
        assertEquals("invariance reproduce: error: unknown reproduction 'E9': the known ids are E1, E2, E3, E4, E5 and all\n", r.err());
    }

    @Test
    void anOutputThatIsAFileIsRefusedBeforeAnyTraining() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Run r = invariance("reproduce", "E1", "--out", file.toString());
        assertEquals(2, r.code());
        assertEquals("invariance reproduce: error: " + file + ": --out names a file, expected a folder\n", r.err());
    }
}
