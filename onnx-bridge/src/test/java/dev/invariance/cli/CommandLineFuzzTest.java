package dev.invariance.cli;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The command line on arbitrary argument vectors ({@link FuzzedArguments}: one argument per line, {@code $DIR} for
 * the folder holding a tiny training set and the model trained on it, {@link FuzzWorkFolder}), run in-process as the
 * other command-line tests run it ({@link CliRun}). Whatever the options, the run ends with exit code 0, or 2 with
 * one line naming the cause, or 1 with one line for an expected failure (training diverged, not enough heap); and
 * <ul>
 *   <li>no stack trace, no "internal error", no {@code Error} (out of memory, stack overflow) escapes;</li>
 *   <li>standard output and error hold no control character but the line feed (and a table's tabs);</li>
 *   <li>nothing is written outside the fuzz folder and no half-written {@code .tmp} file is left in it;</li>
 *   <li>the run takes at most {@link #TIME_BOUND_NANOS}.</li>
 * </ul>
 * Vectors whose valid request is legitimately long or writes elsewhere are left out ({@link CampaignBounds}).
 * <p>
 * Under {@code mvn test} the committed inputs in
 * {@code src/test/resources/dev/invariance/cli/CommandLineFuzzTestInputs} (the option cases of issue 19 and every
 * finding) run as regression tests; {@code src/test/python/make_cli_fuzz_seeds.py} writes the seeds. With
 * {@code JAZZER_FUZZ=1} Jazzer mutates them in a campaign, inserting the option names and hostile values below;
 * docs/fuzzing.md records the command and the outcome.
 */
class CommandLineFuzzTest {
    /**
     * A few seconds: the slowest seeds (an analysis with data) take about a second with four other builds sharing two
     * cores. The first ONNX Runtime session of the JVM, which loads its libraries, is made before any input.
     */
    static final long TIME_BOUND_NANOS = 5_000_000_000L;
    /** How {@link CliErrors} starts the line of an exception that is a bug (the values in a line may say anything). */
    private static final Pattern INTERNAL_ERROR = Pattern.compile("invariance( \\w+)?: error: internal error \\(");
    private static final Pattern WARNING = Pattern.compile("invariance( \\w+)?: warning: ");
    private static final FuzzWorkFolder FOLDER = FuzzWorkFolder.create();
    private static final CampaignBounds BOUNDS = new CampaignBounds(FOLDER.root(), FuzzWorkFolder.FEATURES, 1,
            FuzzWorkFolder.EXAMPLES);

    @FuzzTest(maxDuration = "10m", maxExecutions = 20_000)
    @DictionaryEntries({"train", "analyze", "--data", "--label", "--from-provenance", "--hidden", "--activation",
            "--no-bias", "--skip", "--structure", "--loss", "--optimizer", "--batch-size", "--learning-rate", "--schedule", "--steps",
            "--epochs", "--init", "--init-scale", "--precision", "--standardize", "--seed", "--output",
            "--tribuo-model", "--provenance", "--verbose", "--help", "--version", "--input", "--device", "--classes",
            "--no-label-evaluation", "--format", "--top-k", "--all-singular-values", "--spectrum", "--layers", "--quiet",
            "layer-0", "(.*a){20}$", "[",
            "$DIR/data.csv", "$DIR/model.onnx", "$DIR/model.tribuo", "$DIR/provenance.json", "$DIR/empty.csv",
            "$DIR/folder", "$DIR/missing.csv", "$DIR/out.onnx", "$DIR/../out.onnx", "$DIR/new/deeper/out.onnx",
            "/dev/zero", "/dev/null", "/", "..", "$LONG", "$NL", "$ESC", "label", "a",
            "2147483647", "-2147483648", "357913942", "100000000", "46341", "65536", "9223372036854775807", "0",
            "-1", "1e39", "1e400", "NaN", "Infinity", "-0", "0x10", "4.9e-324", "1,1", "16,16",
            "relu", "linear", "diagonal", "circulant", "aligned", "sgd", "adam", "float32", "json", "top-k", "cuda", "cuda:2147483647", "auto",
            "up,down", "up,up"})
    void optionsRunOrAreRefusedInOneLine(byte[] data) {
        FOLDER.reset();
        FuzzedArguments fuzzed = FuzzedArguments.decode(data, FOLDER.work());
        if (BOUNDS.reasonToSkip(fuzzed.args()) != null) {
            return;
        }
        Set<String> before = FuzzWorkFolder.outside();
        long start = System.nanoTime();
        CliRun.Result r = CliRun.invariance(fuzzed.toArray());
        long elapsed = System.nanoTime() - start;
        String what = fuzzed.args().stream().map(a -> a.length() > 200 ? a.substring(0, 200) + "…" : a).toList()
                + " -> exit " + r.code() + ", stderr: " + r.err();
        if (r.code() != 0 && r.code() != InvarianceCommand.BAD_INPUT && r.code() != InvarianceCommand.FAILED) {
            throw new AssertionError("unexpected exit code: " + what);
        }
        List<String> errors = r.err().lines().filter(l -> !isNoteOrWarning(l)).toList();
        if (errors.size() != (r.code() == 0 ? 0 : 1)) {
            throw new AssertionError("a refusal is one line, a success none: " + what);
        }
        if (r.err().lines().anyMatch(l -> INTERNAL_ERROR.matcher(l).lookingAt()) || r.err().contains("\tat ")) {
            throw new AssertionError("an internal error: " + what);
        }
        checkNoControlCharacters(r.out(), "\n\t", what); // a table's own tabs; every name in it is escaped
        checkNoControlCharacters(r.err(), "\n", what);
        Set<String> written = FuzzWorkFolder.writtenSince(before);
        if (!written.isEmpty()) {
            throw new AssertionError("written outside the fuzz folder: " + written + ": " + what);
        }
        if (!FOLDER.leftovers().isEmpty()) {
            throw new AssertionError("left " + FOLDER.leftovers() + " behind: " + what);
        }
        if (elapsed > TIME_BOUND_NANOS) {
            throw new AssertionError("took " + elapsed / 1_000_000 + " ms: " + what);
        }
    }

    /** The lines a run may write on standard error besides its one error line: notes and warnings. */
    private static boolean isNoteOrWarning(String line) {
        return line.startsWith("note: ") || WARNING.matcher(line).lookingAt();
    }

    private static void checkNoControlCharacters(String text, String allowed, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && allowed.indexOf(c) < 0) {
                throw new AssertionError("control character " + (int) c + " in the output: " + what);
            }
        }
    }
}
