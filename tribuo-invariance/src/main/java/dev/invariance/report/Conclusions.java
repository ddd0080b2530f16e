package dev.invariance.report;

import dev.invariance.analysis.AnalysisReport;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MarginComparison;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.analysis.TraceEntry;
import dev.invariance.evaluation.DataAnalysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The conclusion in plain words: each sentence is computed from the figures and states its threshold. Near rank one
 * means a rank-1 ratio ‖W‖₂/‖W‖_F of at least {@value #NEAR_RANK_ONE} (a stable rank of at most 1/0.9² ≈ 1.23);
 * aligned means a top alignment |v₁ᵀu₁| of at least {@value #ALIGNED}; the end-to-end predictor is "at" the
 * max-margin direction when its cosine with the SVM's is at least {@value #AT_MAX_MARGIN}; a stably-active submatrix
 * tells a different story when its rank-1 ratio is on the other side of {@value #NEAR_RANK_ONE} from the full
 * matrix's, or differs from it by at least {@value #DIFFERENT}.
 */
final class Conclusions {
    static final double NEAR_RANK_ONE = 0.9;
    static final double ALIGNED = 0.9;
    static final double AT_MAX_MARGIN = 0.99;
    static final double DIFFERENT = 0.1;
    private static final int NAMES_LISTED = 5;

    private Conclusions() {
    }

    static List<String> of(Checkpoints c, List<TraceEntry> trace) {
        List<String> out = new ArrayList<>();
        ReportedModel last = c.last();
        AnalysisReport r = last.evaluation().getReport();
        String of = c.size() == 1 ? "" : " At the last checkpoint (" + last.label() + "):";
        if (r.layers().isEmpty()) {
            out.add("The model has no dense layer to analyse.");
            return out;
        }
        List<String> near = new ArrayList<>();
        for (LayerMetrics l : r.layers()) {
            if (l.rank1Ratio() >= NEAR_RANK_ONE) {
                near.add(l.name());
            }
        }
        out.add((of + " " + near.size() + " of " + r.layers().size() + " layers are near rank one (rank-1 ratio ≥ "
                + NEAR_RANK_ONE + ")" + names(near) + "; the median rank-1 ratio is "
                + Html.figure(LayerSelection.median(r.layers().stream().map(LayerMetrics::rank1Ratio).toList())) + ".")
                .strip());
        if (!r.pairs().isEmpty()) {
            List<String> aligned = new ArrayList<>();
            for (PairMetrics p : r.pairs()) {
                if (p.adjacentAlignment() >= ALIGNED) {
                    aligned.add(p.producerName() + " → " + p.consumerName());
                }
            }
            out.add(aligned.size() + " of " + r.pairs().size() + " edges with pair metrics are aligned (top alignment"
                    + " |v₁ᵀu₁| ≥ " + ALIGNED + ")" + names(aligned) + ".");
        }
        int without = r.edges().size() - r.pairs().size();
        if (without > 0) {
            out.add(without + " edges have no pair metrics (their two vectors live in different spaces); the edge"
                    + " table gives each reason.");
        }
        DataAnalysis d = last.evaluation().getDataAnalysis();
        if (d != null) {
            margin(out, d);
            stable(out, d, r);
        }
        if (c.size() > 1) {
            trajectory(out, c);
        }
        if (trace.size() > 1) {
            TraceEntry first = trace.get(0);
            TraceEntry end = trace.get(trace.size() - 1);
            out.add(String.format(Locale.ROOT, "During training (steps %d to %d) the median rank-1 ratio went from %s"
                    + " to %s and the loss from %s to %s.", first.step(), end.step(), medianRho(first.layers()),
                    medianRho(end.layers()), Html.figure(first.loss()), Html.figure(end.loss())));
        }
        return out;
    }

    private static String medianRho(List<LayerMetrics> layers) {
        return Html.figure(LayerSelection.median(layers.stream().map(LayerMetrics::rank1Ratio).toList()));
    }

    private static void margin(List<String> out, DataAnalysis d) {
        MarginComparison m = d.margin();
        if (m != null && Double.isFinite(m.cosine())) {
            double degrees = Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, m.cosine()))));
            out.add(String.format(Locale.ROOT, "The end-to-end predictor is %s the max-margin (hard-margin SVM)"
                            + " direction: cosine %s (%.2f°; \"at\" means a cosine ≥ %s), and its normalised margin is"
                            + " %s of the SVM's.", m.cosine() >= AT_MAX_MARGIN ? "at" : "away from", Html.figure(m.cosine()),
                    degrees, AT_MAX_MARGIN, Html.figure(m.marginRatio())));
        } else if (!d.marginNote().isEmpty()) {
            out.add("No comparison with the max-margin direction: " + d.marginNote() + ".");
        }
    }

    private static void stable(List<String> out, DataAnalysis d, AnalysisReport r) {
        StableSubmatrixMetrics s = d.stable();
        if (s == null) {
            return;
        }
        List<String> differ = new ArrayList<>();
        for (StableSubmatrixMetrics.StableLayer l : s.layers()) {
            LayerMetrics sm = l.metrics();
            if (sm == null) {
                continue;
            }
            LayerMetrics full = r.layers().get(l.layer());
            boolean sides = (sm.rank1Ratio() >= NEAR_RANK_ONE) != (full.rank1Ratio() >= NEAR_RANK_ONE);
            if (sides || Math.abs(sm.rank1Ratio() - full.rank1Ratio()) >= DIFFERENT) {
                differ.add(String.format(Locale.ROOT, "%s (%s on the stably active part against %s on the whole"
                        + " matrix)", full.name(), Html.figure(sm.rank1Ratio()), Html.figure(full.rank1Ratio())));
            }
        }
        if (differ.isEmpty()) {
            out.add("The stably-active submatrices tell the same story as the full matrices (no rank-1 ratio differs by"
                    + " " + DIFFERENT + " or more, or across " + NEAR_RANK_ONE + ").");
        } else {
            out.add("The stably-active submatrices tell a different story (a rank-1 ratio differing by ≥ " + DIFFERENT
                    + " or across " + NEAR_RANK_ONE + ") for " + differ.size() + " layers: "
                    + String.join("; ", differ.subList(0, Math.min(NAMES_LISTED, differ.size())))
                    + (differ.size() > NAMES_LISTED ? "; and " + (differ.size() - NAMES_LISTED) + " more" : "") + ".");
        }
    }

    private static void trajectory(List<String> out, Checkpoints c) {
        List<LayerMetrics> first = c.first().evaluation().getReport().layers();
        int rose = 0;
        int fell = 0;
        for (LayerMetrics l : first) {
            double delta = c.layer(c.size() - 1, l.name()).rank1Ratio() - l.rank1Ratio();
            if (delta >= DIFFERENT) {
                rose++;
            } else if (delta <= -DIFFERENT) {
                fell++;
            }
        }
        out.add(String.format(Locale.ROOT, "From %s to %s the median rank-1 ratio went from %s to %s; %d layers rose"
                        + " by %s or more and %d fell by as much.", c.first().label(), c.last().label(),
                medianRho(first), medianRho(c.last().evaluation().getReport().layers()), rose, DIFFERENT, fell));
    }

    private static String names(List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        List<String> shown = names.subList(0, Math.min(NAMES_LISTED, names.size()));
        return ": " + String.join(", ", shown) + (names.size() > NAMES_LISTED ? " and " + (names.size()
                - NAMES_LISTED) + " more" : "");
    }
}
