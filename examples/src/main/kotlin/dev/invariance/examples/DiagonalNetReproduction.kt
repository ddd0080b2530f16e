package dev.invariance.examples

import dev.invariance.analysis.EndToEndPredictor
import dev.invariance.analysis.HardMarginSvm
import dev.invariance.analysis.L1MarginSolution
import dev.invariance.analysis.L1MaxMargin
import dev.invariance.analysis.LabelledData
import dev.invariance.analysis.MetricsTrace
import dev.invariance.analysis.MinL1Interpolant
import dev.invariance.analysis.SvmSolution
import dev.invariance.analysis.WeightAnalyzer
import dev.invariance.deepnet.DeepNetModel
import dev.invariance.deepnet.DeepNetTrainer
import dev.invariance.deepnet.regression.DeepNetRegressionTrainer
import dev.invariance.evaluation.InvarianceEvaluator
import dev.invariance.evaluation.TribuoData
import dev.invariance.network.Activation
import dev.invariance.network.DenseLayer
import dev.invariance.network.ElementType
import dev.invariance.network.LayerStructure
import dev.invariance.network.NetworkDescription
import dev.invariance.network.WeightMatrix
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
import kotlin.math.PI
import kotlin.math.abs
import kotlin.math.cos
import kotlin.math.hypot
import kotlin.math.min
import kotlin.math.sin
import kotlin.math.sqrt

/*
 * E3 of science.md 3.3 as a [Reproduction]: Yun, Krishnan & Mobahi's diagonal linear networks. A depth-2 diagonal
 * network f(x) = w_1ᵀ diag(w_0) x has the end-to-end predictor β = w_1 ⊙ w_0, read from the trained network as the
 * product of its layers (EndToEndPredictor: the 1 × d output row times the d × d diagonal W_0 = diag(w_0)). Trained
 * by gradient descent with logistic loss on separable data, β turns towards the l1 max-margin direction β₁ (the
 * l_{2/L} margin with L = 2); a plain linear model (L = 1) turns towards the l2 max-margin (SVM) direction β₂.
 * Every network starts as science.md prescribes for diagonal nets: w_0 = α·1 and a zero output row w_1 = 0
 * (Initialization.CONSTANT_DIAGONAL; the conserved w_0k² − w_1k² = α² leaves every β_k free to change sign).
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

/** One regression at init scale α: β and its residual ‖Xβ − y‖₂. */
private data class RegressionFit(val scale: Double, val beta: List<Double>, val residual: Double)

/**
 * The outcome of A3.3: the min-l1 and min-l2 interpolants, β at α = 1e-3 and 10, and the α sweep of the figure.
 */
private data class RegressionOutcome(val minL1: List<Double>, val minL1Norm: Double, val minL2: List<Double>,
                                     val small: RegressionFit, val large: RegressionFit, val sweep: List<RegressionFit>)

/** E3-conv: β of the circulant L = 2 net and the l2 SVM's direction, with the erank of their DFT magnitudes. */
private data class ConvOutcome(val beta: List<Double>, val svm: List<Double>, val erankNet: Double,
                               val erankSvm: Double)

/** The DFT magnitudes |F β|_k = |Σ_j β_j e^{−2πi jk/d}|, k = 0 … d − 1 (unnormalised; only ratios are used). */
internal fun dftMagnitudes(beta: List<Double>): List<Double> {
    val d = beta.size
    return List(d) { k ->
        var re = 0.0
        var im = 0.0
        for (j in 0 until d) {
            re += beta[j] * cos(2 * PI * j * k / d)
            im -= beta[j] * sin(2 * PI * j * k / d)
        }
        hypot(re, im)
    }
}

/**
 * The analyzer's Roy–Vetterli effective rank of |F β|: the circulant matrix C[i][j] = β[(i − j) mod d] has the DFT
 * magnitudes |F β|_k as its singular values, so its effective rank exp(H(σ/‖σ‖₁)) is that of the spectrum.
 */
internal fun spectrumEffectiveRank(beta: List<Double>): Double {
    val d = beta.size
    val circulant = WeightMatrix.fromRows(*Array(d) { i -> DoubleArray(d) { j -> beta[Math.floorMod(i - j, d)] } })
    val layer = DenseLayer("C(beta)", "Gemm", circulant, null, Activation.LINEAR, ElementType.FLOAT64)
    return WeightAnalyzer.create().analyzeLayer(layer).effectiveRank ?: Double.NaN
}

/** The Euclidean norm. */
private fun norm2(v: List<Double>): Double = sqrt(v.sumOf { it * it })

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
        val conv = convolution(data, svm, steps = 50_000L * factor)
        val regression = regression()
        val between = cosine(l1.direction(), svm.direction())
        val checks = listOf(a31(deep, between), a32(shallow), a33(regression), e3conv(conv))
        val figures = (figures(deep, shallow, l1, svm) + regressionFigure(regression) + convFigure(conv))
            .flatMap { it.writeTo(outDir) }
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

    /** The classifier of E3: L = 2 with one hidden layer of `structure`, or L = 1, from w_0 = 0.1·1, w_1 = 0. */
    private fun classifier(dimension: Int, depth: Int, structure: LayerStructure, learningRate: Double,
                           steps: Long): DeepNetTrainer =
        // L = 2: one structured hidden layer d × d, W_0 = 0.1·I (diagonal w_0 = 0.1·1, circulant c = 0.1·e_0), then
        // the dense 1 × d output row w_1 = 0: science.md's E3 init. L = 1: the output row alone, from 0.
        DeepNetTrainer.builder()
            .hidden(if (depth == 2) listOf(dimension) else emptyList())
            .structure(if (depth == 2) structure else LayerStructure.DENSE)
            .activation(Activation.LINEAR)
            .bias(false)
            .loss(LossFunction.LOGISTIC)
            .initialization(Initialization.CONSTANT_DIAGONAL)
            .initScale(0.1)
            .learningRate(learningRate)
            .steps(steps)
            .seed(1)
            .build()

    private fun train(data: MutableDataset<Label>, l1: L1MarginSolution, svm: SvmSolution, depth: Int,
                      learningRate: Double, steps: Long): DepthRun {
        val trainer = classifier(data.featureIDMap.size(), depth, LayerStructure.DIAGONAL, learningRate, steps)
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
     * A3.3: d = 20, N = 5, y = Xβ* with the 2-sparse β* = (1, −0.5, 0, …), a DIAGONAL L = 2 regressor from
     * w_0 = α·1, w_1 = 0: at α = 1e-3, ‖β‖₁ within 10% of the min-l1 interpolant's (the LP MinL1Interpolant); at
     * α = 10, β within 10% (relative, l2) of the min-l2 interpolant Xᵀ(XXᵀ)⁻¹y.
     */
    private fun a33(r: RegressionOutcome): Check {
        val l1Ratio = r.small.beta.sumOf { abs(it) } / r.minL1Norm
        val l2Distance = norm2(r.large.beta.zip(r.minL2) { a, b -> a - b }) / norm2(r.minL2)
        val holds = abs(l1Ratio - 1) < 0.1 && l2Distance < 0.1
        return Check.asserted(
            "A3.3", "Regression, L = 2, d = 20, N = 5: init 1e-3 gives ||beta||_1 within 10% of the min-l1 " +
                "interpolant's; init 10 gives ||beta - beta_minl2|| / ||beta_minl2|| < 0.1.",
            holds,
            linkedMapOf("l1_ratio_small" to l1Ratio, "rel_dist_l2_large" to l2Distance,
                "min_l1_norm" to r.minL1Norm, "residual_small" to r.small.residual,
                "residual_large" to r.large.residual),
            if (holds) "small init finds the min-l1 interpolant's norm, large init the min-l2 interpolant"
            else "the init scale does not move the interpolant between min l1 and min l2 by the margins asked",
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
        val minL1 = MinL1Interpolant.create().fit(WeightMatrix.fromRows(*xs.toTypedArray()), ys)
        fun fit(scale: Double): RegressionFit {
            // β moves at rate ≈ η(w_0² + w_1²) ≈ ηα² along the gradient: η ≤ 0.1/α² keeps ηα²λ_max(XᵀX/N) well
            // below 2; the small-α runs need the steps to leave the saddle at 0 (time ∝ log(1/α)/η)
            val model = DeepNetRegressionTrainer.builder()
                .hidden(listOf(dimension)).structure(LayerStructure.DIAGONAL).activation(Activation.LINEAR).bias(false)
                .initialization(Initialization.CONSTANT_DIAGONAL).initScale(scale)
                .learningRate(min(0.05, 0.1 / (scale * scale))).steps(40_000).seed(1)
                .build().train(data)
            val beta = predictor(model.network)
            val residual = sqrt(xs.indices.sumOf { n -> (xs[n].indices.sumOf { xs[n][it] * beta[it] } - ys[n]).let { it * it } })
            return RegressionFit(scale, beta, residual)
        }
        val sweep = listOf(1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0, 10.0).map { fit(it) }
        return RegressionOutcome(minL1.weights(), minL1.l1Norm(), minL2, sweep.first(), sweep.last(), sweep)
    }

    /** E3-conv: the circulant L = 2 net from c = 0.1·e_0, w_1 = 0, logistic loss, η 0.1, on E3's data. */
    private fun convolution(data: MutableDataset<Label>, svm: SvmSolution, steps: Long): ConvOutcome {
        val model = classifier(data.featureIDMap.size(), 2, LayerStructure.CIRCULANT, 0.1, steps).train(data)
        val beta = predictor(model.network)
        return ConvOutcome(beta, svm.direction(), spectrumEffectiveRank(beta), spectrumEffectiveRank(svm.direction()))
    }

    private fun e3conv(r: ConvOutcome): Check = Check.reported(
        "E3-conv", "Full-length circular-conv linear net (L = 2): erank of |F beta| below the l2 SVM's |F beta_2|.",
        linkedMapOf("erank_conv" to r.erankNet, "erank_svm" to r.erankSvm, "cos_svm" to cosine(r.beta, r.svm)),
        "reported: the DFT spectrum of the circulant net's predictor has effective rank " +
            "${Check.format(r.erankNet)} against ${Check.format(r.erankSvm)} for the l2 SVM " +
            if (r.erankNet < r.erankSvm) "(sparser, as Yun et al. / Gunasekar et al. predict)" else "(not sparser)",
    )

    private fun regressionFigure(r: RegressionOutcome): Figure {
        val scales = r.sweep.map { it.scale }
        return Figure.builder("E3: init scale moves the interpolant from min l1 to min l2").id("e3-init-scale")
            .xAxis("init scale α (w_0 = α·1, w_1 = 0; dimensionless)").logX(true)
            .yAxis("ratio (dimensionless)")
            .caption("A3.3: the L = 2 diagonal regressor's ‖β‖₁ relative to the min-l1 interpolant's, and its " +
                "relative l2 distance to the min-l2 interpolant, against the init scale α.")
            .series("‖β‖₁ / ‖β_l1‖₁", scales, r.sweep.map { f -> f.beta.sumOf { abs(it) } / r.minL1Norm })
            .series("‖β − β_l2‖₂ / ‖β_l2‖₂", scales,
                r.sweep.map { f -> norm2(f.beta.zip(r.minL2) { a, b -> a - b }) / norm2(r.minL2) })
            .build()
    }

    private fun convFigure(r: ConvOutcome): Figure {
        val unit = { v: List<Double> -> dftMagnitudes(v).let { m -> norm2(m).let { n -> m.map { it / n } } } }
        val frequency = List(r.beta.size) { it.toDouble() }
        return Figure.builder("E3-conv: DFT magnitude spectra of the predictors").id("e3-conv-spectra")
            .xAxis("frequency k (DFT index)").yAxis("|F β|_k / ‖F β‖₂ (dimensionless)")
            .caption("The circular-conv L = 2 net's predictor has a sparser Fourier spectrum (effective rank " +
                "${Check.format(r.erankNet)}) than the l2 SVM (${Check.format(r.erankSvm)}).")
            .series("β, circulant L = 2", frequency, unit(r.beta))
            .series("β₂ (l2 max margin, SVM)", frequency, unit(r.svm))
            .build()
    }

    private fun figures(deep: DepthRun, shallow: DepthRun, l1: L1MarginSolution, svm: SvmSolution): List<Figure> {
        val steps = "training step (gradient-descent updates)"
        val cosines = Figure.builder("E3: predictor against the max-margin directions").id("e3-cosines").xAxis(steps).logX(true)
            .yAxis("cos(β, β_i) (dimensionless)")
            .caption("β = w_1 ⊙ w_0 (L = 2, diagonal) turns to the l1 max-margin direction β₁ (A3.1); the plain " +
                "linear model (L = 1) turns to the l2 one, β₂ (A3.2).")
        for (r in listOf(deep, shallow)) {
            cosines.series("L = ${r.depth}: cos(β, β₁)", r.steps, r.l1Cosines)
            cosines.series("L = ${r.depth}: cos(β, β₂)", r.steps, r.l2Cosines)
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
