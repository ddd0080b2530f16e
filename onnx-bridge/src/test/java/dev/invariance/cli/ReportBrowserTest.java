package dev.invariance.cli;

import dev.invariance.analysis.MetricsTrace;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import dev.invariance.evaluation.InvarianceEvaluator;
import dev.invariance.report.Figure;
import dev.invariance.report.HtmlReport;
import dev.invariance.report.ReportedModel;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTML report rendered by headless Chromium, as a reader opens it: a model trained here with its training trace,
 * an ONNX model exported by PyTorch analysed with data, and three PyTorch checkpoints side by side. Each page loads
 * with no error reported by the browser (its Content-Security-Policy would report anything fetched from outside the
 * file) and shows every plot it should, decoded at its natural size and laid out with a non-empty size. Needs
 * Debian's {@code chromium} ({@code .ci/run} installs it when run as root); without a browser the tests are skipped
 * and say why. Set {@code -Dinvariance.screenshots=DIR} to keep a screenshot of each page there.
 */
class ReportBrowserTest {
    private static final Path ORT = Path.of("src/test/resources/fixtures/ort");
    private static final Path CHECKPOINTS = Path.of("src/test/resources/fixtures/checkpoints");
    private static final List<String> DEPTH = List.of("spectra", "rank1", "ranks", "spectral-norm", "alignment");

    @TempDir
    static Path dir;
    private static @Nullable HeadlessChromium browser;

    @BeforeAll
    static void startBrowser() throws Exception {
        Path binary = HeadlessChromium.find();
        assumeTrue(binary != null, "skipped: no Chromium browser found (chromium or chromium-browser on the PATH, or"
                + " $CHROMIUM); .ci/run installs Debian's chromium when it runs as root");
        browser = HeadlessChromium.start(binary, Files.createDirectories(dir.resolve("profile")));
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static HeadlessChromium.Page open(Path html, String name) throws Exception {
        String keep = System.getProperty("invariance.screenshots");
        Path shot = keep == null ? null : Files.createDirectories(Path.of(keep)).resolve(name + ".png");
        return browser.load(html.toAbsolutePath(), shot);
    }

    /** No error, and exactly the expected plots, each decoded at 760 × 400 and laid out with a non-empty size. */
    private static void assertPlots(HeadlessChromium.Page page, List<String> expected) {
        assertEquals(List.of(), page.errors(), "errors reported by the browser");
        assertEquals(expected, page.images().stream().map(HeadlessChromium.Image::figure).toList());
        for (HeadlessChromium.Image i : page.images()) {
            assertTrue(i.complete() && i.naturalWidth() == 760 && i.naturalHeight() == 400, i + " decoded");
            assertTrue(i.width() > 100 && i.height() > 50, i + " laid out with a non-empty size");
        }
    }

    @Test
    void theBrowserCheckWouldSeeAResourceFromOutsideAndABrokenPlot() throws Exception {
        // the report's own policy in a page that names an outside image: the browser refuses it and says so
        Path html = dir.resolve("outside.html");
        Files.writeString(html, "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\""
                + "default-src 'none'; img-src data:; style-src 'unsafe-inline'\"></head><body><figure id=\"a\">"
                + "<img src=\"https://127.0.0.1:9/a.png\"></figure><figure id=\"b\"><img src=\"data:image/png;base64,"
                + "AAAA\"></figure></body></html>");
        HeadlessChromium.Page page = open(html, "outside");
        assertTrue(page.errors().stream().anyMatch(e -> e.contains("Content Security Policy")), page.errors().toString());
        assertEquals(List.of(0, 0), page.images().stream().map(HeadlessChromium.Image::naturalWidth).toList());
    }

    @Test
    void aFigureWrittenAsSvgDecodesInTheBrowserLikeItsPng() throws Exception {
        List<Double> x = new java.util.ArrayList<>();
        List<Double> y = new java.util.ArrayList<>();
        for (int t = 0; t < 200; t++) {
            x.add(10.0 * t);
            y.add(Math.exp(-t / 20.0));
        }
        Figure figure = Figure.builder("Training loss").id("loss").xAxis("training step").yAxis("mean logistic loss")
                .logY(true).series("scale 0.1", x, y).series("scale 1", x, y.stream().map(v -> v * v).toList()).build();
        figure.writeTo(dir);
        Path html = dir.resolve("figure.html");
        Files.writeString(html, "<!DOCTYPE html><html><body><figure id=\"svg\"><img src=\"loss.svg\"></figure>"
                + "<figure id=\"png\"><img src=\"loss.png\"></figure></body></html>");
        assertPlots(open(html, "figure-svg"), List.of("svg", "png"));
    }

    @Test
    void aModelTrainedHereWithItsTrainingTraceShowsEveryPlot() throws Exception {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(40, 6, 0.0, 3));
        MetricsTrace trace = MetricsTrace.create();
        DeepNetModel model = DeepNetTrainer.builder().hidden(6, 6).bias(false).initScale(0.1).learningRate(0.5)
                .steps(600).seed(1).build().train(data, 100, trace);
        Path html = dir.resolve("trained.html");
        HtmlReport.of(ReportedModel.of("deep linear 6-6-6-1", InvarianceEvaluator.create().evaluate(model, data)))
                .withTrace(trace.getEntries()).writeTo(html);
        assertPlots(open(html, "report-trained"), List.of("spectra", "rank1", "ranks", "spectral-norm", "alignment",
                "trace-loss", "trace-rank1", "trace-stable-rank", "trace-effective-rank", "trace-spectral-norm",
                "trace-top-alignment", "trace-commutator", "trace-drift"));
    }

    @Test
    void anOnnxModelFromPyTorchWithDataShowsEveryPlot() throws Exception {
        Path html = dir.resolve("onnx.html");
        CliRun.Result r = CliRun.invariance("report", ORT.resolve("mlp_bias.onnx").toString(), "--data",
                ORT.resolve("mlp_bias.csv").toString(), "--label", "label", "--output", html.toString());
        assertEquals(0, r.code(), r.err());
        List<String> expected = new java.util.ArrayList<>(DEPTH);
        expected.add("activations");
        assertPlots(open(html, "report-onnx-data"), expected);
        String text = Files.readString(html);
        assertTrue(text.contains("CPUExecutionProvider"), "execution in the provenance");
        assertTrue(text.contains("Gemm ×3, Relu ×2"), "operators found");
    }

    @Test
    void threeCheckpointsSideBySideShowEveryMetricAcrossThem() throws Exception {
        Path html = dir.resolve("checkpoints.html");
        CliRun.Result r = CliRun.invariance("report", CHECKPOINTS.resolve("step_0000.onnx").toString(),
                CHECKPOINTS.resolve("step_0100.onnx").toString(), CHECKPOINTS.resolve("step_1000.onnx").toString(),
                "--data", CHECKPOINTS.resolve("data.csv").toString(), "--label", "label", "--output", html.toString());
        assertEquals(0, r.code(), r.err());
        assertPlots(open(html, "report-checkpoints"), List.of("spectra", "rank1", "stable-rank", "effective-rank",
                "spectral-norm", "alignment", "commutator", "activations", "ckpt-rank1", "ckpt-stable-rank",
                "ckpt-effective-rank", "ckpt-spectral-norm", "ckpt-top-alignment", "ckpt-commutator"));
    }
}
