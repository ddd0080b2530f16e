package dev.invariance.report;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.TraceEntry;
import dev.invariance.evaluation.DataAnalysis;
import org.jspecify.annotations.Nullable;
import org.tribuo.classification.evaluation.LabelEvaluation;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A self-contained HTML report of one model, or of several checkpoints of one architecture side by side, with the
 * training trace when there is one. It renders what the evaluations hold (the figures of the analysis JSON), in
 * plots (XChart, PNG data URIs), tables ordered by depth, the provenance and a conclusion in plain words whose
 * sentences state their thresholds. The file opens offline: its Content-Security-Policy allows nothing but its own
 * inline style and data-URI images, and it holds no script.
 *
 * <pre>{@code
 * HtmlReport.of(ReportedModel.of("my model", evaluation)).withTrace(trace.getEntries()).writeTo(Path.of("r.html"));
 * }</pre>
 * Kotlin: {@code HtmlReport.of(listOf(a, b, c)).writeTo(path)}. Immutable; the {@code with…} methods return copies.
 */
public final class HtmlReport {
    private final List<ReportedModel> models;
    private final List<TraceEntry> trace;
    private final @Nullable String title;

    private HtmlReport(List<ReportedModel> models, List<TraceEntry> trace, @Nullable String title) {
        Checkpoints.of(models); // refuses models that are not checkpoints of one architecture
        this.models = List.copyOf(models);
        this.trace = List.copyOf(trace);
        this.title = title;
    }

    /** A report of one model. */
    public static HtmlReport of(ReportedModel model) {
        return new HtmlReport(List.of(model), List.of(), null);
    }

    /**
     * A report of checkpoints of one architecture, in the order given (for example by training step): layers are
     * matched by name and every metric is plotted across them.
     *
     * @throws IllegalArgumentException when the list is empty or a model's layers differ from the first's by name or
     *                                  shape (naming the first that differs)
     */
    public static HtmlReport of(List<ReportedModel> checkpoints) {
        return new HtmlReport(checkpoints, List.of(), null);
    }

    /** The same report with every metric over the training steps of this trace ({@code MetricsTrace.getEntries()}). */
    public HtmlReport withTrace(List<TraceEntry> entries) {
        return new HtmlReport(models, entries, title);
    }

    /** The same report under this title (by default one made from the models' labels). */
    public HtmlReport withTitle(String reportTitle) {
        return new HtmlReport(models, trace, Objects.requireNonNull(reportTitle, "reportTitle"));
    }

    /** Writes the report to {@code file} (UTF-8), replacing it. */
    public void writeTo(Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the report (" + e.getMessage() + ")", e);
        }
    }

    /** Writes the report to {@code out} (UTF-8); the stream is flushed, not closed. */
    public void writeTo(OutputStream out) {
        try {
            out.write(render().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report (" + e.getMessage() + ")", e);
        }
    }

    /** The HTML text. */
    String render() {
        Checkpoints c = Checkpoints.of(models);
        List<Figure> depth = DepthPlots.specs(c);
        List<Figure> across = CheckpointPlots.specs(c);
        List<Figure> training = TracePlots.specs(trace);
        List<Figure> all = new ArrayList<>(depth);
        all.addAll(across);
        all.addAll(training);
        // XChart draws each plot into its own image: independent, so they are drawn on all cores
        List<Charts.@Nullable Plot> plots = all.parallelStream().map(Charts::draw).toList();
        String heading = title != null ? title : "Invariance report: " + (models.size() == 1 ? models.get(0).label()
                : models.size() + " checkpoints, " + models.get(0).label() + " to " + models.get(models.size() - 1).label());
        Html html = new Html();
        Page.head(html, heading);
        html.line("<nav><a href=\"#conclusion\">Conclusion</a> · <a href=\"#plots\">Plots</a> · <a href=\"#tables\">"
                + "Tables</a> · <a href=\"#provenance\">Provenance</a></nav>");
        html.line("<section id=\"conclusion\"><h2>Conclusion</h2><ul>");
        for (String sentence : Conclusions.of(c, trace)) {
            html.line("<li>" + Html.text(sentence) + "</li>");
        }
        html.line("</ul></section>");
        html.line("<section id=\"plots\"><h2>Plots</h2>");
        plotGroup(html, "Along the depth" + (c.size() == 1 ? "" : " (one series per checkpoint)"),
                plots.subList(0, depth.size()));
        plotGroup(html, "Across checkpoints", plots.subList(depth.size(), depth.size() + across.size()));
        plotGroup(html, "During training", plots.subList(depth.size() + across.size(), plots.size()));
        html.line("</section>");
        tables(html, c);
        html.line("<section id=\"provenance\"><h2>Provenance</h2>");
        for (ReportedModel m : models) {
            ProvenanceSection.write(html, m);
        }
        html.line("</section>");
        Page.foot(html);
        return html.toString();
    }

    private static void plotGroup(Html html, String heading, List<Charts.@Nullable Plot> plots) {
        if (plots.stream().allMatch(Objects::isNull)) {
            return;
        }
        html.element("h3", heading);
        for (Charts.Plot p : plots) {
            if (p != null) {
                html.figure(p);
            }
        }
    }

    private static void tables(Html html, Checkpoints c) {
        html.line("<section id=\"tables\"><h2>Tables</h2>");
        ReportedModel last = c.last();
        if (c.size() > 1) {
            Tables.acrossCheckpoints(html, c);
            html.element("h3", "The last checkpoint: " + last.label());
        }
        LabelEvaluation le = last.evaluation().getLabelEvaluation();
        if (le != null) {
            Tables.classification(html, le);
        }
        AnalysisReport r = last.evaluation().getReport();
        DataAnalysis d = last.evaluation().getDataAnalysis();
        if (d != null) {
            Tables.data(html, d, r);
        }
        Tables.layers(html, r);
        if (!r.edges().isEmpty()) {
            Tables.edges(html, r);
        }
        for (int k = 0; k < c.size() - 1; k++) {
            html.line("<details><summary>Layers and edges of " + Html.text(c.get(k).label()) + "</summary>");
            Tables.layers(html, c.get(k).evaluation().getReport());
            if (!c.get(k).evaluation().getReport().edges().isEmpty()) {
                Tables.edges(html, c.get(k).evaluation().getReport());
            }
            html.line("</details>");
        }
        html.line("</section>");
    }
}
