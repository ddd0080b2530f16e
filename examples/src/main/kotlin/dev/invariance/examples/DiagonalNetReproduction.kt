package dev.invariance.examples

import dev.invariance.analysis.EndToEndPredictor
import dev.invariance.analysis.HardMarginSvm
import dev.invariance.analysis.L1MarginSolution
import dev.invariance.analysis.L1MaxMargin
import dev.invariance.analysis.LabelledData
import dev.invariance.analysis.MetricsTrace
import dev.invariance.analysis.SvmSolution
import dev.invariance.deepnet.DeepNetModel
import dev.invariance.deepnet.DeepNetTrainer
import dev.invariance.deepnet.regression.DeepNetRegressionTrainer
import dev.invariance.evaluation.InvarianceEvaluator
import dev.invariance.evaluation.TribuoData
import dev.invariance.network.Activation
import dev.invariance.network.LayerStructure
import dev.invariance.network.NetworkDescription
import dev.invariance.report.Figure
import dev.invariance.report.HtmlReport
import dev.invariance.report.ReportedModel
import dev.invariance.reproduction.Check
import dev.invariance.reproduction.Reproduction
import dev.invariance.reproduction.ReproductionBudget
import dev.invariance.reproduction.ReproductionRun
import dev.invariance.training.Initialization
import dev.invariance.training.LossFunction
import org.tribuo.MutableDataset
import org.tribuo.classification.Label
import org.tribuo.classification.LabelFactory
import org.tribuo.impl.ArrayExample
import org.tribuo.math.la.DenseMatrix
import org.tribuo.math.la.DenseVector
import org.tribuo.provenance.SimpleDataSourceProvenance
import org.tribuo.regression.RegressionFactory
import org.tribuo.regression.Regressor
import java.nio.file.Path
import java.util.Random
import kotlin.math.abs
import kotlin.math.log10
import kotlin.math.sqrt

/*
 * E3 of science.md 3.3 as a [Reproduction]: Yun, Krishnan & Mobahi's diagonal linear networks. A depth-2 diagonal
 * network f(x) = w_1ᵀ diag(w_0) x has the end-to-end predictor β = w_1 ⊙ w_0, read from the trained network as the
 * product of its layers (EndToEndPredictor: the 1 × d output row times the d × d diagonal W_0 = diag(w_0)). Trained
 * by gradient descent with logistic loss on separable data, β turns towards the l1 max-margin direction β₁ (the
 * l_{2/L} margin with L = 2); a plain linear model (L = 1) turns towards the l2 max-margin (SVM) direction β₂.
 */

/** The E3 classification data: d = 10, x_n ~ N(0, I), y_n = sign(x_n[0] + 0.5 x_n[1]), kept when |margin| ≥ 0.1. */
internal fun diagonalNetData(samples: Int, dimension: Int, seed: Long): MutableDataset<Label> {
    val rng = Random(seed)
    val names = Array(dimension) { "x%02d".format(it) }
    val data = MutableDataset(SimpleDataSourceProvenance("E3 sparse teacher, seed $seed", LabelFactory()), LabelFactory())
    while (data.size() < samples) {
        val x = DoubleArray(dimension) { rng.nextGaussian() }
        val margin = x[0] + 0.5 * x[1]
        if (abs(margin) >= 0.1) {
            data.add(ArrayExample(Label(if (margin > 0) "pos" else "neg"), names, x))
        }
    }
    return data
}

/** The cosine of two vectors of the same length; NaN when one is zero. */
internal fun cosine(a: List<Double>, b: List<Double>): Double {
    val dot = a.indices.sumOf { a[it] * b[it] }
    val norms = sqrt(a.sumOf { it * it }) * sqrt(b.sumOf { it * it })
    return if (norms > 0) dot / norms else Double.NaN
}

/** β of a linear network with one output: its end-to-end predictor, the product of its layers (w_1 ⊙ w_0 for L = 2). */
internal fun predictor(network: NetworkDescription): List<Double> = EndToEndPredictor.endToEndMatrix(network).getRow(0).toList()

/** One classification run: β's cosines with β₁ and β₂ at every checkpoint, and β at the end. */
private class DepthRun(val depth: Int, val steps: List<Double>, val l1Cosines: List<Double>, val l2Cosines: List<Double>,
                       val beta: List<Double>, val model: DeepNetModel, val trace: MetricsTrace)

/** The outcome of A3.3's two regressions: β at small and large init and the reference interpolants. */
private data class RegressionOutcome(val target: List<Double>, val minL2: List<Double>, val small: List<Double>,
                                     val large: List<Double>, val smallResidual: Double, val largeResidual: Double)

/**
 * Yun, Krishnan & Mobahi 2021 (E3): gradient descent on a depth-2 diagonal linear network converges in direction to
 * the l1 max-margin predictor, a depth-1 (plain linear) model to the l2 one; in underdetermined regression the init
 * scale moves the interpolant between minimum l1 (small init) and minimum l2 (large init).
 */
class DiagonalNetReproduction : Reproduction {
    override fun id(): String = "E3"

    override fun title(): String = "diagonal linear networks: depth moves the limit from the l2 to the l1 max margin"

    override fun paper(): String = "Yun, Krishnan & Mobahi 2021, A unifying view on implicit bias in training linear neural networks"

    override fun run(budget: ReproductionBudget, outDir: Path): ReproductionRun {
        val start = System.nanoTime()
        val quick = budget == ReproductionBudget.QUICK
        // science.md: 5·10⁴ steps at η 0.1 for L = 2 and 2·10⁵ at η 0.3 for L = 1; the full run is ten times longer
        val factor = if (quick) 1L else 10L
        val (data, labelled) = separatedData()
        val l1 = L1MaxMargin.create().fit(labelled)
        val svm = HardMarginSvm.create().fit(labelled)
        check(l1.isOptimal && svm.isOptimal) { "E3's targets were not solved: ${l1.note()} ${svm.note()}" }
        val deep = train(data, l1, svm, depth = 2, learningRate = 0.1, steps = 50_000L * factor)
        val shallow = train(data, l1, svm, depth = 1, learningRate = 0.3, steps = 200_000L * factor)
        val regression = regression()
        val between = cosine(l1.direction(), svm.direction())
        val checks = listOf(a31(deep, between), a32(shallow), a33(regression))
        val figures = figures(deep, shallow, l1, svm).flatMap { it.writeTo(outDir) }
        val report = outDir.resolve("report.html")
        HtmlReport.of(ReportedModel.of("E3, diagonal L = 2", InvarianceEvaluator.create().evaluate(deep.model, data)))
            .withTrace(deep.trace.entries)
            .withTitle("E3 (Yun et al. 2021): diagonal linear network, L = 2, ${deep.steps.size} checkpoints")
            .writeTo(report)
        return ReproductionRun(id(), checks, figures, report, (System.nanoTime() - start) / 1e9)
    }

    /** science.md's data, resampled (next seed) while cos(β₁, β₂) > 0.98, when the check could not separate them. */
    private fun separatedData(): Pair<MutableDataset<Label>, LabelledData> {
        for (seed in 0L until 20L) {
            val data = diagonalNetData(20, 10, seed)
            val labelled = TribuoData.labelled(data)
            val l1 = L1MaxMargin.create().fit(labelled)
            val svm = HardMarginSvm.create().fit(labelled)
            if (l1.isOptimal && svm.isOptimal && cosine(l1.direction(), svm.direction()) <= 0.98) {
                return data to labelled
            }
        }
        error("no data seed below 20 separates the l1 and l2 max-margin directions")
    }

    private fun train(data: MutableDataset<Label>, l1: L1MarginSolution, svm: SvmSolution, depth: Int,
                      learningRate: Double, steps: Long): DepthRun {
        val dimension = data.featureIDMap.size()
        // L = 2: one DIAGONAL hidden layer d × d (W_0 = diag(w_0), w_0 ~ N(0, 0.1²)) then the dense 1 × d output
        // layer (w_1 ~ N(0, 0.1²/d)): science.md's "small random" init. L = 1: the output layer alone.
        val trainer = DeepNetTrainer.builder()
            .hidden(if (depth == 2) listOf(dimension) else emptyList())
            .structure(if (depth == 2) LayerStructure.DIAGONAL else LayerStructure.DENSE)
            .activation(Activation.LINEAR)
            .bias(false)
            .loss(LossFunction.LOGISTIC)
            .initialization(Initialization.GAUSSIAN)
            .initScale(0.1)
            .learningRate(learningRate)
            .steps(steps)
            .seed(1)
            .build()
        val stepsSeen = mutableListOf<Double>()
        val l1Cosines = mutableListOf<Double>()
        val l2Cosines = mutableListOf<Double>()
        val trace = MetricsTrace.create()
        val model = trainer.train(data, (steps / 500).toInt()) { checkpoint ->
            if (checkpoint.step > 0) {
                val beta = predictor(checkpoint.network)
                stepsSeen += checkpoint.step.toDouble()
                l1Cosines += cosine(beta, l1.direction())
                l2Cosines += cosine(beta, svm.direction())
                if (depth == 2 && stepsSeen.size % 25 == 1) trace.onCheckpoint(checkpoint)
            }
        }
        return DepthRun(depth, stepsSeen, l1Cosines, l2Cosines, predictor(model.network), model, trace)
    }

    private fun a31(r: DepthRun, between: Double): Check {
        val c1 = r.l1Cosines.last()
        val c2 = r.l2Cosines.last()
        val holds = c1 > 0.93 && c1 - c2 > 0.03
        return Check.asserted(
            "A3.1", "L = 2 diagonal net: cos(beta, beta_1) > 0.93 and cos(beta, beta_1) - cos(beta, beta_2) > 0.03.",
            holds, linkedMapOf("cos_l1" to c1, "cos_l2" to c2, "gap" to c1 - c2, "cos_l1_l2" to between),
            if (holds) "the depth-2 predictor points towards the l1 max-margin direction, away from the l2 one"
            else "beta is not closer to the l1 max-margin direction by the margins asked",
        )
    }

    private fun a32(r: DepthRun): Check {
        val c1 = r.l1Cosines.last()
        val c2 = r.l2Cosines.last()
        val holds = c2 > 0.98 && c2 > c1
        return Check.asserted(
            "A3.2", "Control, L = 1 (plain linear model): cos(beta, beta_2) > 0.98 and cos(beta, beta_2) > cos(beta, beta_1).",
            holds, linkedMapOf("cos_l2" to c2, "cos_l1" to c1),
            if (holds) "without depth the predictor turns to the l2 max-margin (SVM) direction"
            else "the linear model is not closest to the l2 max-margin direction",
        )
    }

    /**
     * A3.3 (reported): d = 20, N = 5, y = Xβ* with the 2-sparse β* = (1, −0.5, 0, …), a DIAGONAL L = 2 regressor at
     * init scale 1e-3 and 10. The min-l1 interpolant needs an equality-constrained LP that the project does not
     * expose (L1MaxMargin solves y_n x_nᵀb ≥ 1), so ‖β*‖₁ stands in as an upper bound of its norm.
     */
    private fun a33(r: RegressionOutcome): Check {
        val l1Ratio = r.small.sumOf { abs(it) } / r.target.sumOf { abs(it) }
        val diff = r.large.indices.sumOf { (r.large[it] - r.minL2[it]).let { d -> d * d } }
        val l2Distance = sqrt(diff) / sqrt(r.minL2.sumOf { it * it })
        return Check.reported(
            "A3.3", "Regression, L = 2, d = 20, N = 5: init 1e-3 gives ||beta||_1 near the min-l1 interpolant's; " +
                "init 10 gives ||beta - beta_minl2|| / ||beta_minl2|| < 0.1.",
            linkedMapOf("l1_ratio_small" to l1Ratio, "rel_dist_l2_large" to l2Distance,
                "residual_small" to r.smallResidual, "residual_large" to r.largeResidual),
            "reported, not asserted: ||beta||_1 / ||beta*||_1 = ${Check.format(l1Ratio)} at init 1e-3 (beta* bounds the " +
                "min-l1 norm; no equality LP here) and the distance to the min-l2 interpolant is " +
                "${Check.format(l2Distance)} at init 10 (the trainer's Gaussian init is random per weight, so the " +
                "large-init limit is a weighted l2 interpolant around a nonzero beta(0))",
        )
    }

    private fun regression(): RegressionOutcome {
        val dimension = 20
        val samples = 5
        val rng = Random(3)
        val target = List(dimension) { if (it == 0) 1.0 else if (it == 1) -0.5 else 0.0 }
        val xs = List(samples) { DoubleArray(dimension) { rng.nextGaussian() } }
        val ys = xs.map { x -> x.indices.sumOf { x[it] * target[it] } }
        val names = Array(dimension) { "x%02d".format(it) }
        val factory = RegressionFactory()
        val data = MutableDataset(SimpleDataSourceProvenance("E3 regression", factory), factory)
        xs.zip(ys) { x, y -> data.add(ArrayExample(Regressor("y", y), names, x)) }
        // min-l2 interpolant Xᵀ(XXᵀ)⁻¹y, the N × N Gram system solved by Tribuo's Cholesky factorisation
        val gram = DenseMatrix.createDenseMatrix(Array(samples) { i -> DoubleArray(samples) { j -> xs[i].indices.sumOf { xs[i][it] * xs[j][it] } } })
        val alpha = gram.choleskyFactorization().orElseThrow().solve(DenseVector.createDenseVector(ys.toDoubleArray()))
        val minL2 = List(dimension) { k -> (0 until samples).sumOf { alpha.get(it) * xs[it][k] } }
        fun fit(scale: Double, learningRate: Double, steps: Long): Pair<List<Double>, Double> {
            val model = DeepNetRegressionTrainer.builder()
                .hidden(listOf(dimension)).structure(LayerStructure.DIAGONAL).activation(Activation.LINEAR).bias(false)
                .initialization(Initialization.GAUSSIAN).initScale(scale).learningRate(learningRate).steps(steps).seed(1)
                .build().train(data)
            val beta = predictor(model.network)
            val residual = sqrt(xs.indices.sumOf { n -> (xs[n].indices.sumOf { xs[n][it] * beta[it] } - ys[n]).let { it * it } })
            return beta to residual
        }
        val (small, smallResidual) = fit(1e-3, 0.05, 40_000)
        val (large, largeResidual) = fit(10.0, 2e-4, 40_000)
        return RegressionOutcome(target, minL2, small, large, smallResidual, largeResidual)
    }

    private fun figures(deep: DepthRun, shallow: DepthRun, l1: L1MarginSolution, svm: SvmSolution): List<Figure> {
        val steps = "log₁₀ of the training step (gradient-descent updates)"
        val cosines = Figure.builder("E3: predictor against the max-margin directions").id("e3-cosines").xAxis(steps)
            .yAxis("cos(β, β_i) (dimensionless)")
            .caption("β = w_1 ⊙ w_0 (L = 2, diagonal) turns to the l1 max-margin direction β₁ (A3.1); the plain " +
                "linear model (L = 1) turns to the l2 one, β₂ (A3.2).")
        for (r in listOf(deep, shallow)) {
            val x = r.steps.map { log10(it) }
            cosines.series("L = ${r.depth}: cos(β, β₁)", x, r.l1Cosines)
            cosines.series("L = ${r.depth}: cos(β, β₂)", x, r.l2Cosines)
        }
        val index = List(deep.beta.size) { it.toDouble() }
        val norm = { v: List<Double> -> sqrt(v.sumOf { it * it }).let { n -> v.map { it / n } } }
        val coefficients = Figure.builder("E3: coefficients of the unit predictors").id("e3-coefficients")
            .xAxis("coefficient k (feature index)").yAxis("β_k / ‖β‖₂ (dimensionless)")
            .caption("The teacher uses features 0 and 1: the L = 2 predictor is sparse like β₁, the L = 1 one dense like β₂.")
            .series("β, L = 2", index, norm(deep.beta))
            .series("β, L = 1", index, norm(shallow.beta))
            .series("β₁ (l1 max margin)", index, l1.direction())
            .series("β₂ (l2 max margin, SVM)", index, svm.direction())
        return listOf(cosines.build(), coefficients.build())
    }

    companion object {
        /** Runs E3: `[--full] [OUT_DIR]`; exits 1 when an asserted check fails. */
        @JvmStatic
        fun main(args: Array<String>) = ReproductionMain.main(DiagonalNetReproduction(), args)
    }
}
