package dev.invariance.examples;

import dev.invariance.analysis.ActivationPatterns;
import dev.invariance.analysis.ConservationDrift;
import dev.invariance.analysis.DriftMetrics;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.MetricsTrace;
import dev.invariance.analysis.PairMetrics;
import dev.invariance.analysis.StableSubmatrixMetrics;
import dev.invariance.analysis.TraceEntry;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.evaluation.InvarianceEvaluator;
import dev.invariance.evaluation.TribuoData;
import dev.invariance.network.Activation;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;
import dev.invariance.report.Figure;
import dev.invariance.report.HtmlReport;
import dev.invariance.report.ReportedModel;
import dev.invariance.reproduction.Check;
import dev.invariance.reproduction.Reproduction;
import dev.invariance.reproduction.ReproductionBudget;
import dev.invariance.reproduction.ReproductionRun;
import org.jspecify.annotations.Nullable;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * E4 of science.md 3.4 as a {@link Reproduction} (Le and Jegelka 2022, "Training invariances and the low-rank
 * phenomenon: beyond linear networks"): the linear head of a ReLU network becomes rank one and aligned (Net A, A4.1);
 * gradient descent conserves the neuron-wise balance of ReLU layers but not the full matrix (A4.2); an all-ReLU network's
 * full matrices need not become rank one (Net B over four seeds, A4.3); and on stably active neurons the balance block
 * D[S, S] is conserved (Net C: nonnegative inputs and biases, A4.4). Every figure comes from the analyzer's public API.
 */
public final class ReluNetworkReproduction implements Reproduction {
    private static final List<Activation> NET_A = List.of(Activation.RELU, Activation.LINEAR, Activation.LINEAR);
    private static final List<Activation> NET_B = List.of(Activation.RELU, Activation.RELU);
    private static final int SEEDS = 4;
    private static final String STEPS_AXIS = "training step (gradient-descent updates)";

    /** For {@link java.util.ServiceLoader}. */
    public ReluNetworkReproduction() {
    }

    @Override
    public String id() {
        return "E4";
    }

    @Override
    public String title() {
        return "ReLU networks: low rank only where neurons are stably active";
    }

    @Override
    public String paper() {
        return "Le & Jegelka 2022, Training invariances and the low-rank phenomenon: beyond linear networks";
    }

    /** One trained network: the model, its trace and its training inputs. */
    private record Trained(String label, DeepNetModel model, List<TraceEntry> trace, WeightMatrix inputs) {
        NetworkDescription network() {
            return model.getNetwork();
        }

        TraceEntry last() {
            return trace.get(trace.size() - 1);
        }

        List<Double> steps() {
            return trace.stream().map(e -> (double) e.step()).toList();
        }
    }

    /** Net C's run: the network half-way, and the stably active units of each layer at every checkpoint after it. */
    private record StableRun(Trained trained, NetworkDescription halfway, List<List<LayerActivation>> lateActivations) {
    }

    @Override
    public ReproductionRun run(ReproductionBudget budget, Path outDir) {
        long start = System.nanoTime();
        // science.md's budget is 3·10⁴ steps; the full run is ten times longer (the paper's sizes are not known here)
        long steps = budget == ReproductionBudget.QUICK ? 30_000 : 300_000;
        int interval = (int) (steps / 60);
        MutableDataset<Label> data = ReluHeadExample.data(0L);
        Trained netA = train("Net A", NET_A, false, data, steps, interval, 2L);
        List<Trained> netB = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            netB.add(train("Net B seed " + seed, NET_B, false, data, steps, interval, seed));
        }
        StableRun netC = trainNetC(nonnegativeData(0L), steps, interval);
        List<Check> checks = List.of(a41(netA), a42(netA), a43(netB), a44(netC));
        List<Path> files = new ArrayList<>();
        for (Figure f : figures(netA, netB, netC.trained())) {
            files.addAll(f.writeTo(outDir));
        }
        Path report = outDir.resolve("report.html");
        HtmlReport.of(ReportedModel.of("E4 Net A", InvarianceEvaluator.create().evaluate(netA.model(), data)))
                .withTrace(netA.trace())
                .withTitle("E4 (Le & Jegelka 2022): Net A, ReLU body and linear head, " + steps + " steps")
                .writeTo(report);
        return new ReproductionRun(id(), checks, files, report, (System.nanoTime() - start) / 1e9);
    }

    private static Trained train(String label, List<Activation> activations, boolean bias, MutableDataset<Label> data,
                                 long steps, int interval, long seed) {
        MetricsTrace trace = MetricsTrace.create(WeightAnalyzer.create(), inputs(data));
        DeepNetModel model = ReluHeadExample.trainer(activations, bias, steps, seed).train(data, interval, trace);
        return new Trained(label, model, trace.getEntries(), inputs(data));
    }

    private static StableRun trainNetC(MutableDataset<Label> data, long steps, int interval) {
        WeightMatrix x = inputs(data);
        MetricsTrace trace = MetricsTrace.create(WeightAnalyzer.create(), x);
        List<List<LayerActivation>> late = new ArrayList<>();
        NetworkDescription[] halfway = new NetworkDescription[1];
        DeepNetModel model = ReluHeadExample.trainer(NET_B, true, steps, 1L).train(data, interval, checkpoint -> {
            trace.onCheckpoint(checkpoint);
            if (checkpoint.step() >= steps / 2) {
                if (halfway[0] == null) {
                    halfway[0] = checkpoint.network();
                }
                late.add(ActivationPatterns.of(checkpoint.network(), x));
            }
        });
        NetworkDescription half = halfway[0];
        if (half == null) {
            throw new IllegalStateException("no checkpoint in the second half of Net C's training");
        }
        return new StableRun(new Trained("Net C", model, trace.getEntries(), x), half, late);
    }

    private static WeightMatrix inputs(MutableDataset<Label> data) {
        return TribuoData.inputs(data.getFeatureIDMap(), data);
    }

    /**
     * Net C's data: N = 40 points |x|, x ~ N(0, I_10), labelled by sign(w*ᵀ|x|) with a teacher w* ~ N(0, I_10) minus
     * its mean (so that both labels occur on the nonnegative orthant); separable through the origin.
     */
    static MutableDataset<Label> nonnegativeData(long seed) {
        int n = 40;
        int d = 10;
        Random random = new Random(seed);
        double[] teacher = new double[d];
        double mean = 0;
        for (int k = 0; k < d; k++) {
            teacher[k] = random.nextGaussian();
            mean += teacher[k] / d;
        }
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance(
                "E4 Net C: |x| with x ~ N(0, I_10), labels sign(w*ᵀ|x|), seed " + seed, factory), factory);
        String[] names = SeparableDataSource.featureNames(d);
        for (int i = 0; i < n; i++) {
            double[] x = new double[d];
            double score = 0;
            for (int k = 0; k < d; k++) {
                x[k] = Math.abs(random.nextGaussian());
                score += (teacher[k] - mean) * x[k];
            }
            String label = score > 0 ? SeparableDataSource.POSITIVE : SeparableDataSource.NEGATIVE;
            data.add(new ArrayExample<>(new Label(label), names, x));
        }
        return data;
    }

    private static Check a41(Trained a) {
        List<LayerMetrics> layers = a.last().layers();
        double rho1 = layers.get(1).rank1Ratio();
        double rho2 = layers.get(2).rank1Ratio();
        double align = pair(a.last(), 1, 2).adjacentAlignment();
        boolean holds = rho1 > 0.98 && rho2 > 0.98 && align > 0.99;
        return Check.asserted("A4.1", "Net A (ReLU body, linear head): after " + a.last().step() + " steps rho > 0.98"
                        + " for the linear layers W_1, W_2 and their adjacent alignment > 0.99.", holds,
                figures("rho_W1", rho1, "rho_W2", rho2, "a_W1W2", align, "rho_W0", layers.get(0).rank1Ratio()),
                holds ? "the linear head is rank one and aligned; the ReLU input layer W_0 is not required to be"
                        : "a linear layer's rho is not above 0.98 or their alignment not above 0.99");
    }

    /**
     * A4.2: every pair's neuron-wise drift max_j |D_jj(T) − D_jj(0)| is below 0.05·max(1, max_j (W_i W_iᵀ)_jj), and the
     * full-matrix drift ‖D(T) − D(0)‖_F of the ReLU pair exceeds ten times its neuron-wise drift.
     */
    private static Check a42(Trained a) {
        NetworkDescription net = a.network();
        double worst = 0;
        for (DriftMetrics d : a.last().drift()) {
            worst = Math.max(worst, d.diagonalDrift() / (0.05 * Math.max(1, maxRowSquare(net.layer(d.from()).weights()))));
        }
        DriftMetrics relu = drift(a.last(), 0);
        double full = fullDrift(a.last(), 0);
        double ratio = full / relu.diagonalDrift();
        boolean holds = worst < 1 && ratio > 10;
        return Check.asserted("A4.2", "Net A: the neuron-wise drift of every pair is below 0.05 max(1, max_j "
                        + "(W_i W_i^T)_jj) while the full-matrix drift of the ReLU pair exceeds 10x its neuron-wise drift.",
                holds, figures("neuron_drift_relu", relu.diagonalDrift(), "full_drift_relu", full, "ratio", ratio,
                        "worst_over_tolerance", worst),
                holds ? "gradient descent keeps the per-neuron balance of the ReLU layer, not the whole matrix"
                        : (worst >= 1 ? "a neuron-wise drift exceeds its tolerance" : "the full drift is not 10x the"
                        + " neuron-wise drift"));
    }

    private static Check a43(List<Trained> b) {
        Map<String, Double> f = new LinkedHashMap<>();
        double min = Double.POSITIVE_INFINITY;
        for (int s = 0; s < b.size(); s++) {
            double rho = b.get(s).last().layers().get(1).rank1Ratio();
            f.put("rho_W1_seed" + (s + 1), rho);
            min = Math.min(min, rho);
        }
        boolean holds = min < 0.95;
        return Check.asserted("A4.3", "Net B (all ReLU): at least one of " + b.size() + " seeds has full rho(W_1) < "
                + "0.95.", holds, f, holds ? "the full matrix of a ReLU layer is not rank one in general, and the "
                + "analysis does not report it as rank one" : "every seed's W_1 came out rank one");
    }

    /**
     * A4.4: for each ReLU layer i whose stably active set S_i is non-empty and the same at every checkpoint of the
     * second half of training, the drift of D_i[S, S] over that half is below 0.05·max(1, ‖W_i[S, :]‖_F²); not
     * applicable (never a pass) when there is none.
     */
    private static Check a44(StableRun c) {
        NetworkDescription end = c.trained().network();
        List<DriftMetrics> drifts = ConservationDrift.between(c.halfway(), end, c.trained().inputs());
        Map<String, Double> f = new LinkedHashMap<>();
        boolean any = false;
        boolean holds = true;
        for (DriftMetrics d : drifts) {
            if (end.layer(d.from()).activation() != Activation.RELU) {
                continue;
            }
            List<Integer> s = c.lateActivations().get(0).get(d.from()).stablyActive();
            boolean stable = c.lateActivations().stream().allMatch(a -> a.get(d.from()).stablyActive().equals(s));
            f.put("S" + d.from() + "_size", (double) s.size());
            if (s.isEmpty() || !stable) {
                continue;
            }
            any = true;
            f.put("drift_SS_" + d.from(), d.stableDriftRelative());
            holds &= d.stableDriftRelative() < 0.05;
        }
        String claim = "Net C (|x| inputs, biases): where S_i is non-empty and unchanged over the last half of training,"
                + " the drift of D_i[S,S] over it is below 0.05 max(1, ||W_i[S,:]||_F^2).";
        if (!any) {
            return Check.notApplicable("A4.4", claim, f, "no ReLU layer has a non-empty stably active set that stays"
                    + " the same over the last half of training");
        }
        return Check.asserted("A4.4", claim, holds, f, holds ? "the balance is conserved on the stably active block"
                : "the drift of D[S,S] exceeds 0.05");
    }

    private static List<Figure> figures(Trained a, List<Trained> b, Trained c) {
        Trained bWorst = b.get(0);
        for (Trained t : b) {
            if (t.last().layers().get(1).rank1Ratio() < bWorst.last().layers().get(1).rank1Ratio()) {
                bWorst = t;
            }
        }
        Figure.Builder rank = Figure.builder("E4: rank-1 ratio of full matrices and stable submatrices").id("e4-rank1")
                .xAxis("layer index (0 = input side)").yAxis("ρ = ‖W‖₂/‖W‖_F (dimensionless)")
                .caption("Full ReLU matrices stay far from rank one; the linear head (Net A) and the stably active"
                        + " submatrices W_i[S_i, C_i] come close (after training).");
        rank.series("Net A, full", depth(a), a.last().layers().stream().map(l -> (@Nullable Double) l.rank1Ratio()).toList());
        rank.series("Net A, stable submatrix", depth(a), stableRho(a));
        rank.series(bWorst.label() + ", full", depth(bWorst),
                bWorst.last().layers().stream().map(l -> (@Nullable Double) l.rank1Ratio()).toList());
        rank.series("Net C, full", depth(c), c.last().layers().stream().map(l -> (@Nullable Double) l.rank1Ratio()).toList());
        rank.series("Net C, stable submatrix", depth(c), stableRho(c));
        Figure.Builder trace = Figure.builder("E4: rank-1 ratio during training").id("e4-rank1-trace")
                .xAxis(STEPS_AXIS).yAxis("ρ = ‖W‖₂/‖W‖_F (dimensionless)")
                .caption("Net A's linear layers W_1, W_2 rise to 1 (A4.1); its ReLU input layer W_0 and Net B's W_1 do"
                        + " not (A4.3).");
        for (int i = 0; i < 3; i++) {
            int layer = i;
            trace.series("Net A " + a.last().layers().get(i).name(), a.steps(), series(a, e -> e.layers().get(layer).rank1Ratio()));
        }
        trace.series(bWorst.label() + " " + bWorst.last().layers().get(1).name(), bWorst.steps(),
                series(bWorst, e -> e.layers().get(1).rank1Ratio()));
        Figure.Builder drift = Figure.builder("E4: conservation drift").id("e4-drift").xAxis(STEPS_AXIS)
                .yAxis("‖D_i(t) − D_i(0)‖ (dimensionless)").logY(true)
                .caption("D_i = W_{i+1}ᵀW_{i+1} − W_iW_iᵀ. In Net A the ReLU pair's full balance drifts while its diagonal (neuron-wise) does not (A4.2);"
                        + " in Net C the block D[S, S] of stably active units stays put (A4.4).");
        drift.series("Net A, ReLU pair, full (Frobenius)", a.steps(), series(a, e -> fullDrift(e, 0)));
        drift.series("Net A, ReLU pair, neuron-wise (max_j)", a.steps(), series(a, e -> drift(e, 0).diagonalDrift()));
        drift.series("Net A, linear pair, full", a.steps(), series(a, e -> fullDrift(e, 1)));
        drift.series("Net C, ReLU pair, on S × S", c.steps(), series(c, e -> drift(e, 0).stableDrift()));
        return List.of(rank.build(), trace.build(), drift.build());
    }

    private static List<Double> depth(Trained t) {
        List<Double> x = new ArrayList<>();
        for (int i = 0; i < t.last().layers().size(); i++) {
            x.add((double) i);
        }
        return x;
    }

    /** ρ of each layer's stable submatrix W_i[S_i, C_i] at the end of training (null where it is not defined). */
    private static List<@Nullable Double> stableRho(Trained t) {
        StableSubmatrixMetrics m = WeightAnalyzer.create().analyzeStableSubmatrices(t.network(), t.inputs());
        List<@Nullable Double> y = new ArrayList<>();
        for (StableSubmatrixMetrics.StableLayer l : m.layers()) {
            LayerMetrics metrics = l.metrics();
            y.add(metrics == null ? null : metrics.rank1Ratio());
        }
        return y;
    }

    private static List<@Nullable Double> series(Trained t, Function<TraceEntry, Double> f) {
        List<@Nullable Double> y = new ArrayList<>();
        for (TraceEntry e : t.trace()) {
            y.add(f.apply(e));
        }
        return y;
    }

    /**
     * ‖D(t) − D(0)‖_F of the pair from layer {@code from} at entry {@code e}: {@link DriftMetrics#drift()} is divided by
     * max(1, ‖W_from(t)‖_F²), which this undoes.
     */
    private static double fullDrift(TraceEntry e, int from) {
        double norm = e.layers().get(from).frobeniusNorm();
        return drift(e, from).drift() * Math.max(1, norm * norm);
    }

    private static DriftMetrics drift(TraceEntry e, int from) {
        return e.drift().stream().filter(d -> d.from() == from).findFirst()
                .orElseThrow(() -> new IllegalStateException("no drift from layer " + from));
    }

    private static PairMetrics pair(TraceEntry e, int from, int to) {
        return e.pairs().stream().filter(p -> p.producer() == from && p.consumer() == to).findFirst()
                .orElseThrow(() -> new IllegalStateException("no pair " + from + " -> " + to));
    }

    /** max_j (W Wᵀ)_jj: the largest squared norm of a row. */
    private static double maxRowSquare(WeightMatrix w) {
        double max = 0;
        for (int j = 0; j < w.getRows(); j++) {
            double s = 0;
            for (double v : w.getRow(j)) {
                s += v * v;
            }
            max = Math.max(max, s);
        }
        return max;
    }

    private static Map<String, Double> figures(Object... nameValue) {
        Map<String, Double> f = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            f.put((String) nameValue[i], (Double) nameValue[i + 1]);
        }
        return f;
    }

    /** Runs E4: {@code [--full] [OUT_DIR]}; exits 1 when an asserted check fails. */
    public static void main(String[] args) {
        ReproductionMain.main(new ReluNetworkReproduction(), args);
    }
}
