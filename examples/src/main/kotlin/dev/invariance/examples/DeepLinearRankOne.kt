@file:JvmName("DeepLinearRankOne")

package dev.invariance.examples

import dev.invariance.analysis.MarginComparison
import dev.invariance.analysis.WeightAnalyzer
import dev.invariance.data.SeparableDataSource
import dev.invariance.evaluation.TribuoData
import dev.invariance.deepnet.DeepNetTrainer
import dev.invariance.network.Activation
import dev.invariance.training.LossFunction
import org.tribuo.MutableDataset
import org.tribuo.classification.Label
import kotlin.system.exitProcess

/*
 * Experiment E1 of science.md 3.1 (Ji & Telgarsky 2019, "Gradient descent aligns the layers of deep linear networks"):
 * a bias-free deep linear network trained by full-batch gradient descent with logistic loss on linearly separable data.
 * Every layer W_i (d_out × d_in) tends to rank one, rho(W_i) = ‖W_i‖₂/‖W_i‖_F → 1; adjacent layers align,
 * |v_{i+1}ᵀ u_i| → 1; and the end-to-end predictor w = (W_{L−1}⋯W_0)ᵀ turns towards the hard-margin SVM direction.
 */

/** The E1 configuration; the defaults are the acceptance run A1.1 (N=40, d=10, 10-10-10-1, scale 0.1, η 0.5, 2·10⁴ steps). */
data class DeepLinearSettings(
    val samples: Int = 40,
    val dimension: Int = 10,
    val hiddenWidths: List<Int> = listOf(10, 10),
    val initScale: Double = 0.1,
    val learningRate: Double = 0.5,
    val steps: Long = 20_000,
    val checkpointInterval: Int = 1_000,
    val dataSeed: Long = 0,
    val trainerSeed: Long = 1,
    val loss: LossFunction = LossFunction.LOGISTIC,
)

/**
 * The metrics of the network after [step] gradient steps.
 *
 * @property rank1Ratios rho(W_i) per layer, input side first
 * @property alignments |v_{i+1}ᵀ u_i| per pair of consecutive layers
 * @property svmCosine cos(w, û) of the end-to-end predictor with the hard-margin SVM direction
 */
data class DeepLinearCheckpoint(
    val step: Long,
    val loss: Double,
    val rank1Ratios: List<Double>,
    val alignments: List<Double>,
    val svmCosine: Double,
)

/**
 * The outcome of one E1 run: the metrics every [DeepLinearSettings.checkpointInterval] steps, from the
 * initialisation (step 0) to the last step.
 */
data class DeepLinearRankOneResult(
    val settings: DeepLinearSettings,
    val layerNames: List<String>,
    val pairNames: List<String>,
    val checkpoints: List<DeepLinearCheckpoint>,
    val finalLoss: Double,
) {
    /** The metrics after the last step. */
    val atEnd: DeepLinearCheckpoint get() = checkpoints.last()

    /** The A1.1 criteria (science.md 3.1) this run misses, in words; empty when it passes. */
    val failures: List<String>
        get() = buildList {
            if (!(finalLoss < 1e-4)) add("loss $finalLoss is not below 1e-4")
            atEnd.rank1Ratios.zip(layerNames) { rho, name -> if (!(rho > 0.99)) add("rho($name) = $rho is not above 0.99") }
            atEnd.alignments.zip(pairNames) { a, name -> if (!(a > 0.99)) add("alignment $name = $a is not above 0.99") }
            if (!(atEnd.svmCosine > 0.99)) add("cos(w, svm) = ${atEnd.svmCosine} is not above 0.99")
        }

    /** Whether the run meets science.md A1.1. */
    val passed: Boolean get() = failures.isEmpty()
}

/** The E1 data: N points x_n ~ N(0, I_d) labelled by a random teacher through the origin (separable). */
fun deepLinearData(settings: DeepLinearSettings): MutableDataset<Label> =
    MutableDataset(SeparableDataSource.builder().samples(settings.samples).dimension(settings.dimension).seed(settings.dataSeed).build())

/** The E1 trainer: a bias-free linear network, logistic loss, full-batch gradient descent with a constant step. */
fun deepLinearTrainer(settings: DeepLinearSettings): DeepNetTrainer = DeepNetTrainer.builder()
    .hidden(settings.hiddenWidths)
    .activation(Activation.LINEAR)
    .bias(false)
    .loss(settings.loss)
    .initScale(settings.initScale)
    .learningRate(settings.learningRate)
    .steps(settings.steps)
    .seed(settings.trainerSeed)
    .build()

/** Trains the E1 network described by [settings] and records its low-rank, alignment and margin metrics. */
@JvmOverloads
fun reproduceDeepLinearRankOne(settings: DeepLinearSettings = DeepLinearSettings()): DeepLinearRankOneResult {
    val data = deepLinearData(settings)
    val labelled = TribuoData.labelled(data)
    val trainer = deepLinearTrainer(settings)
    val analyzer = WeightAnalyzer.create()
    val checkpoints = mutableListOf<DeepLinearCheckpoint>()
    val model = trainer.train(data, settings.checkpointInterval) { checkpoint ->
        val report = analyzer.analyze(checkpoint.network)
        checkpoints += DeepLinearCheckpoint(
            step = checkpoint.step,
            loss = checkpoint.loss,
            rank1Ratios = report.layers.map { it.rank1Ratio },
            alignments = report.pairs.map { it.adjacentAlignment },
            svmCosine = MarginComparison.of(checkpoint.network, labelled).cosine,
        )
    }
    val layers = model.network.layers
    return DeepLinearRankOneResult(
        settings = settings,
        layerNames = layers.map { it.name },
        pairNames = layers.zipWithNext { lower, upper -> "${lower.name} -> ${upper.name}" },
        checkpoints = checkpoints.toList(),
        finalLoss = model.lossCurve.finalLoss,
    )
}

/** Runs E1 with the A1.1 settings, prints the metrics at a few time points, and exits 0 on PASS, 1 on FAIL. */
fun main() {
    val result = reproduceDeepLinearRankOne()
    val shown = setOf(0L, 1_000L, 5_000L, 10_000L, result.atEnd.step)
    println("E1 (Ji & Telgarsky): ${result.settings}")
    println("step      loss        rho per layer              alignment per pair   cos(w, svm)")
    result.checkpoints.filter { it.step in shown }.forEach { c ->
        val rhos = c.rank1Ratios.joinToString(" ") { "%.4f".format(it) }
        val aligns = c.alignments.joinToString(" ") { "%.5f".format(it) }
        println("%-8d  %-10.3e  %-25s  %-19s  %.5f".format(c.step, c.loss, rhos, aligns, c.svmCosine))
    }
    println()
    result.layerNames.zip(result.atEnd.rank1Ratios) { name, rho -> println("rank-1 ratio $name: %.5f".format(rho)) }
    result.pairNames.zip(result.atEnd.alignments) { name, a -> println("alignment $name: %.6f".format(a)) }
    println("cosine with the hard-margin SVM direction: %.5f".format(result.atEnd.svmCosine))
    println("final loss: %.3e".format(result.finalLoss))
    if (result.passed) {
        println("A1.1 PASS")
    } else {
        println("A1.1 FAIL: ${result.failures.joinToString("; ")}")
        exitProcess(1)
    }
}
