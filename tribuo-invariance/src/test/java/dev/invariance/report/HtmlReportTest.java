package dev.invariance.report;

import dev.invariance.analysis.MetricsTrace;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.evaluation.InvarianceEvaluation;
import dev.invariance.evaluation.InvarianceEvaluator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTML report of a model trained here, with its trace: self-contained, every plot a decodable PNG, the tables. */
class HtmlReportTest {
    private static final Pattern FIGURE = Pattern.compile(
            "<figure id=\"([^\"]+)\"><img class=\"plot\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
    private static MutableDataset<Label> data;
    private static InvarianceEvaluation evaluation;
    private static MetricsTrace trace;

    @BeforeAll
    static void train() {
        data = new MutableDataset<>(new SeparableDataSource(40, 6, 0.0, 3));
        trace = MetricsTrace.create();
        DeepNetModel model = DeepNetTrainer.builder().hidden(6, 6).bias(false).initScale(0.1).learningRate(0.5)
                .steps(600).seed(1).build().train(data, 100, trace);
        evaluation = InvarianceEvaluator.create().evaluate(model, data);
    }

    static String render(HtmlReport report) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        report.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The ids of the figures and their decoded images. */
    static List<String> figures(String html, List<BufferedImage> images) throws Exception {
        List<String> ids = new ArrayList<>();
        Matcher m = FIGURE.matcher(html);
        while (m.find()) {
            ids.add(m.group(1));
            images.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2)))));
        }
        return ids;
    }

    @Test
    void aTrainedModelWithItsTraceHasEveryPlotAsADecodablePng() throws Exception {
        String html = render(HtmlReport.of(ReportedModel.of("deep linear", evaluation)).withTrace(trace.getEntries()));
        List<BufferedImage> images = new ArrayList<>();
        List<String> ids = figures(html, images);
        assertEquals(List.of("spectra", "rank1", "ranks", "spectral-norm", "alignment", "trace-loss", "trace-rank1",
                "trace-stable-rank", "trace-effective-rank", "trace-spectral-norm", "trace-top-alignment",
                "trace-commutator", "trace-drift"), ids);
        for (BufferedImage image : images) {
            assertEquals(Charts.WIDTH, image.getWidth());
            assertEquals(Charts.HEIGHT, image.getHeight());
        }
        assertEquals(ids.size(), count(html, "<figcaption><b>"), "every plot has its caption");
    }

    @Test
    void theFileFetchesNothing() {
        String html = render(HtmlReport.of(ReportedModel.of("deep linear", evaluation)).withTrace(trace.getEntries()));
        assertTrue(html.contains("content=\"" + Page.CONTENT_SECURITY_POLICY + "\""));
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("<link"), "no style sheet or font fetched");
        assertFalse(Pattern.compile("(src|href)=\"(?!data:image/png;base64,|#)").matcher(html).find(),
                "every image is a data URI and every link an anchor in the page");
        assertFalse(html.contains("url("), "no resource named in the style");
    }

    @Test
    void theConclusionStatesItsThresholdsAndTheTablesFollowTheDepth() {
        String html = render(HtmlReport.of(ReportedModel.of("deep linear", evaluation)));
        assertTrue(html.contains("layers are near rank one (rank-1 ratio ≥ 0.9)"), "rank-one sentence");
        assertTrue(html.contains("aligned (top alignment |v₁ᵀu₁| ≥ 0.9)"), "alignment sentence");
        assertTrue(html.contains("max-margin (hard-margin SVM) direction"), "SVM sentence");
        int l0 = html.indexOf("<td>layer-0</td>");
        int l1 = html.indexOf("<td>layer-1</td>");
        int l2 = html.indexOf("<td>layer-2</td>");
        assertTrue(l0 > 0 && l0 < l1 && l1 < l2, "layers by depth");
        assertTrue(html.contains("Classification (Tribuo"), "LabelEvaluation table");
        assertTrue(html.contains("command that retrains it"), "provenance");
    }

    @Test
    void checkpointsOfAnotherArchitectureAreRefusedNamingTheLayer() {
        DeepNetModel other = DeepNetTrainer.builder().hidden(5, 6).bias(false).steps(10).seed(1).build().train(data);
        InvarianceEvaluation e = InvarianceEvaluator.create().evaluate(other);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> HtmlReport.of(List.of(
                ReportedModel.of("a", evaluation), ReportedModel.of("b", e))));
        assertEquals("b is not a checkpoint of a: layer 'layer-0' is 5×6 there but 6×6 in the first", x.getMessage());
    }

    @Test
    void writeToAPathWritesTheSameBytesAsToAStream(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        HtmlReport report = HtmlReport.of(ReportedModel.of("deep linear", evaluation));
        report.writeTo(dir.resolve("r.html"));
        String fromFile = Files.readString(dir.resolve("r.html"));
        assertTrue(fromFile.startsWith("<!DOCTYPE html>"));
        assertTrue(fromFile.endsWith("</body></html>\n"));
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
