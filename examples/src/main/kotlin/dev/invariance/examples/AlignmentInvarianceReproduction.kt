package dev.invariance.examples

import dev.invariance.analysis.AnalysisOptions
import dev.invariance.analysis.MetricsTrace
import dev.invariance.analysis.TraceEntry
import dev.invariance.analysis.WeightAnalyzer
import dev.invariance.deepnet.regression.DeepNetRegressionModel
import dev.invariance.deepnet.regression.DeepNetRegressionTrainer
import dev.invariance.evaluation.InvarianceEvaluator
import dev.invariance.network.Activation
import dev.invariance.network.DenseLayer
import dev.invariance.network.ElementType
import dev.invariance.network.LayerStructure
import dev.invariance.network.WeightMatrix
import dev.invariance.report.Figure
import dev.invariance.report.HtmlReport
import dev.invariance.report.ReportedModel
import dev.invariance.reproduction.Check
import dev.invariance.reproduction.Reproduction
import dev.invariance.reproduction.ReproductionBudget
import dev.invariance.reproduction.ReproductionRun
import dev.invariance.training.Initialization
import org.tribuo.MutableDataset
import org.tribuo.impl.ArrayExample
import org.tribuo.math.la.DenseMatrix
import org.tribuo.provenance.SimpleDataSourceProvenance
import org.tribuo.regression.RegressionFactory
import org.tribuo.regression.Regressor
import java.nio.file.Path
import java.util.SplittableRandom
import kotlin.math.abs
import kotlin.math.max
import kotlin.math.sqrt

/*
 * E2 of science.md 3.2 as a [Reproduction]: Radhakrishnan, Nichani, Bernstein & Uhler's alignment. A linear network
 * W_{L−1}…W_0 is aligned when W_i = Q_{i+1} Σ_i Q_iᵀ for orthogonal Q's, i.e. when every adjacent pair has commutator
 * score c_i = ‖A_i B_i − B_i A_i‖_F / (√2 ‖A_i‖_F ‖B_i‖_F) = 0 with A_i = W_i W_iᵀ, B_i = W_{i+1}ᵀ W_{i+1}
 * (science.md 2.7, the analyzer's PairMetrics.commutatorScore). Under the square loss with whitened inputs
 * (Σ x xᵀ = N·I) an aligned start stays aligned (E2a, A2.1); without whitening it does not (E2b, A2.2). A2.3 tests the
 * score itself; E2d trains two circulant (circular convolution) layers.
 */

/** The width of every layer in E2a-c, and the singular values of the target map M = Q_out diag(·) Q_inᵀ. */
private const val WIDTH = 5
private val TARGET_SPECTRUM = doubleArrayOf(3.0, 2.0, 1.0, 0.5, 0.2)

/** A random orthogonal d × d matrix: the eigenvectors of a symmetric Gaussian matrix (Haar distributed). */
private fun randomOrthogonal(d: Int, rng: SplittableRandom): DenseMatrix {
    val g = Array(d) { DoubleArray(d) { rng.nextGaussian() } }
    val symmetric = DenseMatrix.createDenseMatrix(Array(d) { i -> DoubleArray(d) { j -> (g[i][j] + g[j][i]) / 2 } })
    return symmetric.eigenDecomposition().orElseThrow().eigenvectors()
}

/** The diagonal matrix of [values]. */
private fun diagonal(values: DoubleArray): DenseMatrix =
    DenseMatrix.createDenseMatrix(Array(values.size) { i -> DoubleArray(values.size) { j -> if (i == j) values[i] else 0.0 } })

/** u diag(s) vᵀ. */
private fun compose(u: DenseMatrix, s: DoubleArray, v: DenseMatrix): DenseMatrix =
    u.matrixMultiply(diagonal(s)).matrixMultiply(v, false, true)

/** N Gaussian points in R^d as the rows of an N × d matrix, each coordinate scaled by [scales]. */
private fun gaussianRows(samples: Int, scales: DoubleArray, rng: SplittableRandom): DenseMatrix =
    DenseMatrix.createDenseMatrix(Array(samples) { DoubleArray(scales.size) { j -> scales[j] * rng.nextGaussian() } })

/** X √N (XᵀX)^{−1/2} for the N × d rows X: then Σ_n x_n x_nᵀ = N·I to rounding. */
private fun whitened(x: DenseMatrix): DenseMatrix {
    val eigen = x.matrixMultiply(x, true, false).eigenDecomposition().orElseThrow()
    val v = eigen.eigenvectors()
    val inverseRoot = compose(v, DoubleArray(x.dimension2Size) { 1 / sqrt(eigen.eigenvalues().get(it)) }, v)
    return x.matrixMultiply(inverseRoot).apply { scaleInPlace(sqrt(x.dimension1Size.toDouble())) }
}

/**
 * The rows of [x] (N × d) as features x0 … x{d−1} with the targets y = M x as dimensions y0 … y{k−1} (single
 * digits: Tribuo's sorted orders are the orders here).
 */
private fun regressionData(x: DenseMatrix, m: DenseMatrix, description: String): MutableDataset<Regressor> {
    val factory = RegressionFactory()
    val data = MutableDataset(SimpleDataSourceProvenance(description, factory), factory)
    val features = Array(x.dimension2Size) { "x$it" }
    val targets = Array(m.dimension1Size) { "y$it" }
    val y = x.matrixMultiply(m, false, true)
    for (n in 0 until x.dimension1Size) {
        data.add(ArrayExample(Regressor(targets, y.getRow(n).toArray()), features, x.getRow(n).toArray()))
    }
    return data
}

/** A bias-free linear layer holding [w] (d_out × d_in), for the analyzer's pair scores. */
private fun layer(name: String, w: DenseMatrix): DenseLayer =
    DenseLayer(name, "Dense", WeightMatrix.fromRows(*w.toArray()), null, Activation.LINEAR, ElementType.FLOAT64)

/** The analyzer's commutator score c of [from] (d × ·) feeding [to] (· × d). */
private fun commutator(from: DenseMatrix, to: DenseMatrix): Double =
    WeightAnalyzer.create().analyzePair(layer("from", from), layer("to", to)).commutatorScore()
        ?: error("the analyzer computes the commutator score of full matrices")

/** One training run of E2a-c: per checkpoint its step, loss, max_i c_i and the singular values of each layer. */
private class AlignmentRun(val label: String, val trace: List<TraceEntry>, val model: DeepNetRegressionModel) {
    val steps: List<Double> = trace.map { it.step.toDouble() }
    val losses: List<Double> = trace.map { it.loss }
    val commutators: List<Double> = trace.map { e -> e.pairs.maxOf { it.commutatorScore() ?: Double.NaN } }

    /** σ_k of layer i at every checkpoint. */
    fun singularValues(layer: Int, k: Int): List<Double> = trace.map { it.layers[layer].singularValues[k] }
}

/** E2d at one dataset size: the final loss and the commutator scores of the trained circulant net. */
private class ConvolutionOutcome(val samples: Int, val loss: Double, val layers: Double, val input: Double, val output: Double)

/**
 * Radhakrishnan et al. 2020 (E2): with whitened inputs and the square loss, gradient descent keeps an aligned deep
 * linear network aligned (the commutator score of every adjacent pair stays at rounding level) while it fits
 * Y = M X; with correlated inputs the same aligned start loses alignment.
 */
class AlignmentInvarianceReproduction : Reproduction {
    override fun id(): String = "E2"

    override fun title(): String = "alignment is a gradient-descent invariant with whitened inputs, lost without"

    override fun paper(): String = "Radhakrishnan, Nichani, Bernstein & Uhler 2020, On alignment in deep linear neural networks"

    override fun run(budget: ReproductionBudget, outDir: Path): ReproductionRun {
        val start = System.nanoTime()
        // science.md: 5·10³ GD steps at η 0.05; the full run is ten times longer
        val steps = if (budget == ReproductionBudget.QUICK) 5_000L else 50_000L
        val rng = SplittableRandom(2020)
        val qIn = randomOrthogonal(WIDTH, rng)
        val qOut = randomOrthogonal(WIDTH, rng)
        val m = compose(qOut, TARGET_SPECTRUM, qIn)
        val whitenedX = whitened(gaussianRows(50, DoubleArray(WIDTH) { 1.0 }, rng))
        // E2b: x ~ N(0, diag(1..5)) rotated by a fresh random orthogonal R (not Q_in), not whitened
        val rotation = randomOrthogonal(WIDTH, rng)
        val correlatedX = gaussianRows(50, DoubleArray(WIDTH) { sqrt(it + 1.0) }, rng).matrixMultiply(rotation, false, true)
        val aligned = train("E2a: aligned, whitened", regressionData(whitenedX, m, "E2a whitened X, Y = M X"),
            Initialization.ALIGNED, steps)
        val unwhitened = train("E2b: aligned, not whitened", regressionData(correlatedX, m, "E2b correlated X, Y = M X"),
            Initialization.ALIGNED, steps)
        val random = train("E2c: small Gaussian, whitened", regressionData(whitenedX, m, "E2c whitened X, Y = M X"),
            Initialization.GAUSSIAN, steps)
        val convolution = listOf(2, 4, 32).map { convolution(it, steps) }
        val checks = listOf(a21(aligned), a22(unwhitened), a23(SplittableRandom(23)), e2c(random), e2d(convolution))
        val figures = figures(listOf(aligned, unwhitened, random), convolution).flatMap { it.writeTo(outDir) }
        val report = outDir.resolve("report.html")
        HtmlReport.of(ReportedModel.of("E2a, aligned, whitened", InvarianceEvaluator.create().evaluate(aligned.model)))
            .withTrace(aligned.trace)
            .withTitle("E2a (Radhakrishnan et al. 2020): aligned deep linear network, whitened inputs, $steps steps")
            .writeTo(report)
        return ReproductionRun(id(), checks, figures, report, (System.nanoTime() - start) / 1e9)
    }

    /** L = 3, widths 5, no bias, square loss, GD η 0.05, init scale 0.1; about a hundred checkpoints analysed. */
    private fun train(label: String, data: MutableDataset<Regressor>, init: Initialization, steps: Long): AlignmentRun {
        val trace = MetricsTrace.create(WeightAnalyzer.create(AnalysisOptions.builder().allSingularValues(true).build()), null)
        val model = DeepNetRegressionTrainer.builder()
            .hidden(WIDTH, WIDTH).activation(Activation.LINEAR).bias(false)
            .initialization(init).initScale(0.1).learningRate(0.05).steps(steps).seed(7)
            .build().train(data, (steps / 100).toInt(), trace)
        return AlignmentRun(label, trace.entries, model)
    }

    private fun a21(r: AlignmentRun): Check {
        val worst = r.commutators.max()
        val drop = r.losses.first() / r.losses.last()
        val holds = worst < 1e-6 && drop > 100
        return Check.asserted(
            "A2.1", "E2a (whitened X, aligned init, L = 3): max over checkpoints and adjacent pairs of c_i < 1e-6, " +
                "and the loss falls more than 100x.",
            holds, linkedMapOf("c_max" to worst, "loss_drop" to drop, "loss_first" to r.losses.first(),
                "loss_last" to r.losses.last()),
            if (holds) "gradient descent kept every pair aligned to rounding while fitting Y = M X"
            else "the aligned network lost alignment or did not fit",
        )
    }

    private fun a22(r: AlignmentRun): Check {
        val worst = r.commutators.max()
        val first = r.steps[r.commutators.indexOfFirst { it > 1e-3 }.coerceAtLeast(0)]
        val holds = worst > 1e-3
        return Check.asserted(
            "A2.2", "E2b (X not whitened, same aligned init): max_i c_i exceeds 1e-3 within the run.",
            holds, linkedMapOf("c_max" to worst, "c_start" to r.commutators.first(),
                "first_step_above" to if (holds) first else Double.NaN, "loss_last" to r.losses.last()),
            if (holds) "without whitening the aligned start loses alignment (first above 1e-3 at step ${first.toLong()})"
            else "c stayed below 1e-3: the invariance did not visibly fail",
        )
    }

    /**
     * The score on hand-built layers: W_i = Q_{i+1} S_i Q_iᵀ (random orthogonal Q's, positive diagonal S's) is
     * aligned; W_1 R with a random rotation R of the shared space is not; and the score depends on the matrices only:
     * rebuilding the layers from their SVD factors with the shared basis vectors permuted and sign-flipped, or
     * rotating the shared space (W_0 ↦ O W_0, W_1 ↦ W_1 Oᵀ, the same product), leaves it unchanged.
     */
    private fun a23(rng: SplittableRandom): Check {
        var alignedMax = 0.0
        var rotatedMin = Double.MAX_VALUE
        var change = 0.0
        repeat(5) {
            val q = List(3) { randomOrthogonal(WIDTH, rng) }
            val s = List(2) { DoubleArray(WIDTH) { 0.5 + 1.5 * rng.nextDouble() } }
            val w0 = compose(q[1], s[0], q[0])
            val w1 = compose(q[2], s[1], q[1])
            val r = randomOrthogonal(WIDTH, rng)
            val aligned = commutator(w0, w1)
            val rotated = commutator(w0, w1.matrixMultiply(r))
            alignedMax = max(alignedMax, aligned)
            rotatedMin = minOf(rotatedMin, rotated)
            // the same two SVDs enumerated in another order with flipped signs: W = Σ_k s_π(k) (±u_π(k)) (±v_π(k))ᵀ
            val order = (0 until WIDTH).shuffled(java.util.Random(rng.nextLong())).toIntArray()
            val signs = DoubleArray(WIDTH) { if (rng.nextBoolean()) 1.0 else -1.0 }
            fun reordered(u: DenseMatrix, sv: DoubleArray, v: DenseMatrix): DenseMatrix {
                val p = DenseMatrix.createDenseMatrix(Array(WIDTH) { i -> DoubleArray(WIDTH) { j -> if (i == order[j]) signs[j] else 0.0 } })
                return compose(u.matrixMultiply(p), DoubleArray(WIDTH) { sv[order[it]] }, v.matrixMultiply(p))
            }
            val rq1 = r.matrixMultiply(q[1], true, false) // W_1 R = Q_2 S_1 (Rᵀ Q_1)ᵀ
            val permuted = commutator(reordered(q[1], s[0], q[0]), reordered(q[2], s[1], rq1))
            val o = randomOrthogonal(WIDTH, rng)
            val turned = commutator(o.matrixMultiply(w0), w1.matrixMultiply(r).matrixMultiply(o, false, true))
            change = maxOf(change, abs(permuted - rotated) / rotated, abs(turned - rotated) / rotated)
        }
        val holds = alignedMax < 1e-12 && rotatedMin > 1e-2 && change < 1e-10
        return Check.asserted(
            "A2.3", "Metric self-test: aligned W_i = Q_(i+1) S_i Q_i^T give c < 1e-12; one layer times a random rotation " +
                "of the shared space gives c > 1e-2; permuting or sign-flipping the SVD factors, or rotating the shared " +
                "basis, does not change c (relative change < 1e-10).",
            holds, linkedMapOf("c_aligned_max" to alignedMax, "c_rotated_min" to rotatedMin, "relative_change_max" to change),
            if (holds) "the commutator score sees alignment, sees its loss, and does not depend on the SVD basis chosen"
            else "the commutator score does not behave as science.md 2.7 says",
        )
    }

    private fun e2c(r: AlignmentRun) = Check.reported(
        "E2c", "Control: a small random (Gaussian, scale 0.1) init on the same whitened data starts unaligned; " +
            "the spec expects 1 - c_i to approach 1.",
        linkedMapOf("c_start" to r.commutators.first(), "c_end" to r.commutators.last(),
            "loss_drop" to r.losses.first() / r.losses.last()),
        "reported: c goes from ${Check.format(r.commutators.first())} to ${Check.format(r.commutators.last())}",
    )

    /**
     * E2d at N samples: d = 8, a two-layer linear network with both layers circulant (hidden(8), structure CIRCULANT,
     * structuredOutput), square loss on y = M x for a fixed random M (8 outputs), init scale 0.5, η 0.05.
     */
    private fun convolution(samples: Int, steps: Long): ConvolutionOutcome {
        val d = 8
        val m = gaussianRows(d, DoubleArray(d) { 1 / sqrt(d.toDouble()) }, SplittableRandom(88))
        val x = gaussianRows(samples, DoubleArray(d) { 1.0 }, SplittableRandom(800L + samples))
        val model = DeepNetRegressionTrainer.builder()
            .hidden(d).structure(LayerStructure.CIRCULANT).structuredOutput(true)
            .activation(Activation.LINEAR).bias(false).initScale(0.5).learningRate(0.05).steps(steps).seed(8)
            .build().train(regressionData(x, m, "E2d N = $samples"))
        val (w0, w1) = List(2) { i -> model.network.layer(i).weights().let { w -> DenseMatrix.createDenseMatrix(Array(d) { w.getRow(it) }) } }
        // the data's cross-covariance C = Σ y xᵀ = M XᵀX: its singular bases are where an aligned network's outer ones lie
        val c = m.matrixMultiply(x.matrixMultiply(x, true, false))
        return ConvolutionOutcome(
            samples, model.lossCurve.finalLoss, commutator(w0, w1),
            // A = W_0ᵀW_0 against B = CᵀC, and A = W_1W_1ᵀ against B = CCᵀ
            commutator(w0.transpose(), c), commutator(w1, c.transpose()),
        )
    }

    private fun e2d(outcomes: List<ConvolutionOutcome>): Check {
        val figures = linkedMapOf<String, Double>()
        for (o in outcomes) {
            figures["c_layers_n${o.samples}"] = o.layers
            figures["c_input_n${o.samples}"] = o.input
            figures["c_output_n${o.samples}"] = o.output
            figures["loss_n${o.samples}"] = o.loss
        }
        return Check.reported(
            "E2d", "Two circulant 8 x 8 layers (circular convolutions), square loss, N in {2, 4, 32}: commutator scores " +
                "between the layers and against the data's cross-covariance (exploratory, not asserted).",
            figures,
            "reported: circulants share the Fourier eigenbasis, so the layers commute with each other (c at rounding " +
                "level for every N); against the data c is " +
                outcomes.joinToString(", ") { "${Check.format(max(it.input, it.output))} at N = ${it.samples}" },
        )
    }

    private fun figures(runs: List<AlignmentRun>, convolution: List<ConvolutionOutcome>): List<Figure> {
        val step = "training step (gradient-descent updates)"
        val commutator = Figure.builder("E2: commutator score of the layers during training").id("e2-commutator")
            .xAxis(step).yAxis("max_i c_i (dimensionless)").logY(true)
            .caption("Aligned start: with whitened inputs c stays at rounding level (A2.1); without whitening it grows " +
                "(A2.2); a random start is not aligned (E2c).")
        val loss = Figure.builder("E2: training loss").id("e2-loss")
            .xAxis(step).yAxis("mean ½‖f(x) − y‖² (target units²)").logY(true)
            .caption("The whitened runs fit Y = M X to rounding (A2.1: more than 100×); the unwhitened aligned run " +
                "stalls on a plateau.")
        for (r in runs) {
            commutator.series(r.label, r.steps, r.commutators)
            loss.series(r.label, r.steps, r.losses)
        }
        val aligned = runs[0]
        // the three layers start balanced and stay so: one series per σ_k, the other layers' distance in the caption
        val spread = (1 until 3).maxOf { i ->
            (0 until WIDTH).maxOf { k -> aligned.singularValues(i, k).zip(aligned.singularValues(0, k)).maxOf { (a, b) -> abs(a - b) } }
        }
        val spectrum = Figure.builder("E2a: singular values of the layers").id("e2-singular-values")
            .xAxis(step).yAxis("σ_k(W_i) (dimensionless)")
            .caption("Aligned and whitened, training decouples into scalar dynamics: σ_k of each layer rises to " +
                "σ_k(M)^(1/3) for σ(M) = 3, 2, 1, 0.5, 0.2. Drawn for W_0; W_1 and W_2 differ from it by at most " +
                "${Check.format(spread)} at every step.")
        for (k in 0 until WIDTH) {
            spectrum.series("σ_${k + 1}(W_i), σ_${k + 1}(M) = ${TARGET_SPECTRUM[k]}", aligned.steps, aligned.singularValues(0, k))
        }
        val n = convolution.map { it.samples.toDouble() }
        val conv = Figure.builder("E2d: two circulant layers, commutator scores against N").id("e2d-circulant")
            .xAxis("number of training inputs N").yAxis("commutator score c (dimensionless)").logY(true)
            .caption("Circulant layers commute with each other for every N (rounding level); against the data's " +
                "cross-covariance C they are not aligned (exploratory, reported only).")
            .series("c(W_0, W_1)", n, convolution.map { it.layers })
            .series("c(W_0ᵀW_0, CᵀC)", n, convolution.map { it.input })
            .series("c(W_1W_1ᵀ, CCᵀ)", n, convolution.map { it.output })
        return listOf(commutator.build(), loss.build(), spectrum.build(), conv.build())
    }

    companion object {
        /** Runs E2: `[--full] [OUT_DIR]`; exits 1 when an asserted check fails. */
        @JvmStatic
        fun main(args: Array<String>) = ReproductionMain.main(AlignmentInvarianceReproduction(), args)
    }
}
