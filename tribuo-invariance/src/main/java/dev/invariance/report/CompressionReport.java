package dev.invariance.report;

import dev.invariance.compression.CompressedLayer;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.evaluation.LabelEvaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The HTML page of one compression ({@code compress --report FILE.html}, issue 24), self-contained like
 * {@link HtmlReport}: parameters, file size and multiply-adds per example before and after; the original's and the
 * compressed model's {@link LabelEvaluation} and their agreement (share of identical predictions) when there was
 * data; each selected layer's rank, σ_{r+1} = ‖W − W_r‖₂ and energy kept; and, for an accuracy budget, every model
 * tried as a plot of parameters against accuracy ({@link Figure}) and a table.
 * <pre>{@code
 * CompressionReport.builder("model.onnx", "small.onnx", "rank 8").layers(c.layers())
 *     .parameters(c.parametersBefore(), c.parametersAfter()).fileBytes(c.fileBytesBefore(), c.fileBytesAfter())
 *     .multiplyAdds(c.multiplyAddsBefore(), c.multiplyAddsAfter()).build().writeTo(Path.of("compress.html"));
 * }</pre>
 */
public final class CompressionReport {
    /**
     * One model tried by an accuracy-budget search.
     *
     * @param parameters the weight parameters of the model tried
     * @param accuracy   its accuracy on the data, in [0, 1]
     * @param accepted   whether it stayed within the budget
     * @param ranks      its factored layers and ranks, as shown ({@code name=r, …})
     */
    public record Trial(long parameters, double accuracy, boolean accepted, String ranks) {
    }

    private final Builder b;

    private CompressionReport(Builder b) {
        this.b = b;
    }

    /** A report of compressing {@code source} into {@code output} with the rank choice {@code settings}. */
    public static Builder builder(String source, String output, String settings) {
        return new Builder(source, output, settings);
    }

    /** Writes the page to {@code file} (UTF-8), replacing it. */
    public void writeTo(Path file) {
        try {
            Files.write(file, render().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the report (" + e.getMessage() + ")", e);
        }
    }

    /** The figure of the trials: parameters against accuracy, accepted and refused models apart (null without). */
    public @Nullable Figure trialFigure() {
        if (b.trials.isEmpty()) {
            return null;
        }
        Figure.Builder f = Figure.builder("Models tried under the accuracy budget").id("compression-trials")
                .xAxis("parameters (every initializer)").yAxis("accuracy on the data");
        for (boolean accepted : new boolean[]{true, false}) {
            List<Trial> ts = b.trials.stream().filter(t -> t.accepted() == accepted)
                    .sorted(Comparator.comparingLong(Trial::parameters)).toList();
            if (!ts.isEmpty()) {
                f.pointSeries(accepted ? "within the budget" : "beyond the budget",
                        ts.stream().map(t -> (double) t.parameters()).toList(),
                        ts.stream().map(Trial::accuracy).toList());
            }
        }
        String floor = b.original == null ? "" : String.format(Locale.ROOT, " (the original's accuracy %.4f)",
                b.original.accuracy());
        return f.caption("each model the greedy search wrote and ran" + floor + "; the chosen one is the last accepted")
                .build();
    }

    String render() {
        Html html = new Html();
        Page.head(html, "Compression: " + b.source);
        html.line("<section id=\"compression\"><h2>Compression</h2>");
        html.line("<p>" + Html.text(b.source + " → " + b.output + " (" + b.settings + ")") + "</p>");
        List<List<String>> sizes = new ArrayList<>();
        sizes.add(sizeRow("parameters", b.parametersBefore, b.parametersAfter));
        sizes.add(sizeRow("file bytes", b.bytesBefore, b.bytesAfter));
        sizes.add(sizeRow("multiply-adds per example", b.multiplyAddsBefore, b.multiplyAddsAfter));
        html.table("Size before and after", List.of("", "before", "after", "after / before"), sizes);
        if (b.original != null && b.compressed != null) {
            List<List<String>> rows = new ArrayList<>();
            rows.add(evaluationRow("original", b.original));
            rows.add(evaluationRow("compressed", b.compressed));
            html.table(String.format(Locale.ROOT, "Accuracy on the data (Tribuo's LabelEvaluation); agreement %.4f",
                    b.agreement), List.of("model", "accuracy", "macro F1", "balanced error rate"), rows);
        }
        List<List<String>> layers = new ArrayList<>();
        for (CompressedLayer l : b.layers) {
            layers.add(List.of(Html.text(l.name()), Html.text(l.operator()),
                    Html.num(l.outputWidth() + "×" + l.inputWidth()), Html.num(l.factored() ? "" + l.rank() : "kept"),
                    Html.num(l.factored() ? fmt(l.error()) : ""), Html.num(fmt(l.energyKept())),
                    Html.num(Long.toString(l.parametersBefore())), Html.num(Long.toString(l.parametersAfter()))));
        }
        html.table("Layers (W d_out × d_in; error σ_{r+1} = ‖W − W_r‖₂)", List.of("layer", "operator",
                "d_out × d_in", "rank", "error", "energy kept", "parameters before", "parameters after"), layers);
        Figure f = trialFigure();
        if (f != null) {
            Charts.Plot plot = Charts.draw(f);
            if (plot != null) {
                html.figure(plot);
            }
            List<List<String>> trials = new ArrayList<>();
            for (int i = 0; i < b.trials.size(); i++) {
                Trial t = b.trials.get(i);
                trials.add(List.of(Html.num(Integer.toString(i + 1)), Html.text(t.ranks()),
                        Html.num(Long.toString(t.parameters())), Html.num(fmt(t.accuracy())),
                        Html.text(t.accepted() ? "yes" : "no")));
            }
            html.table("Models tried, in order", List.of("#", "ranks", "parameters", "accuracy", "within budget"),
                    trials);
        }
        html.line("</section>");
        Page.foot(html);
        return html.toString();
    }

    private static List<String> sizeRow(String what, long before, long after) {
        return List.of(Html.text(what), Html.num(Long.toString(before)), Html.num(Long.toString(after)),
                Html.num(before == 0 ? "" : fmt((double) after / before)));
    }

    private static List<String> evaluationRow(String model, LabelEvaluation e) {
        return List.of(Html.text(model), Html.num(fmt(e.accuracy())), Html.num(fmt(e.macroAveragedF1())),
                Html.num(fmt(e.balancedErrorRate())));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /** Collects the figures of one compression; {@link #build} makes the report. */
    public static final class Builder {
        private final String source;
        private final String output;
        private final String settings;
        private List<CompressedLayer> layers = List.of();
        private long parametersBefore;
        private long parametersAfter;
        private long bytesBefore;
        private long bytesAfter;
        private long multiplyAddsBefore;
        private long multiplyAddsAfter;
        private @Nullable LabelEvaluation original;
        private @Nullable LabelEvaluation compressed;
        private double agreement = Double.NaN;
        private List<Trial> trials = List.of();

        private Builder(String source, String output, String settings) {
            this.source = Objects.requireNonNull(source, "source");
            this.output = Objects.requireNonNull(output, "output");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** What became of each selected layer. */
        public Builder layers(List<CompressedLayer> compressedLayers) {
            this.layers = List.copyOf(compressedLayers);
            return this;
        }

        /** Parameters (elements of every initializer) before and after. */
        public Builder parameters(long before, long after) {
            this.parametersBefore = before;
            this.parametersAfter = after;
            return this;
        }

        /** File bytes (the model and its external data) before and after. */
        public Builder fileBytes(long before, long after) {
            this.bytesBefore = before;
            this.bytesAfter = after;
            return this;
        }

        /** Multiply-adds per example of the dense layers before and after. */
        public Builder multiplyAdds(long before, long after) {
            this.multiplyAddsBefore = before;
            this.multiplyAddsAfter = after;
            return this;
        }

        /** Both models' evaluations on the data and the share of identical predictions. */
        public Builder evaluation(LabelEvaluation originalModel, LabelEvaluation compressedModel,
                                  double sharedPredictions) {
            this.original = originalModel;
            this.compressed = compressedModel;
            this.agreement = sharedPredictions;
            return this;
        }

        /** The models an accuracy-budget search tried, in order. */
        public Builder trials(List<Trial> tried) {
            this.trials = List.copyOf(tried);
            return this;
        }

        /** The report. */
        public CompressionReport build() {
            return new CompressionReport(this);
        }
    }
}
