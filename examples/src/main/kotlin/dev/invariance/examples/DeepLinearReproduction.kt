package dev.invariance.examples

import dev.invariance.analysis.HardMarginSvm
import dev.invariance.analysis.MarginComparison
import dev.invariance.analysis.MetricsTrace
import dev.invariance.analysis.TraceEntry
import dev.invariance.deepnet.DeepNetModel
import dev.invariance.evaluation.InvarianceEvaluator
import dev.invariance.evaluation.TribuoData
import dev.invariance.report.Figure
import dev.invariance.report.HtmlReport
import dev.invariance.report.ReportedModel
import dev.invariance.reproduction.Check
import dev.invariance.reproduction.Reproduction
import dev.invariance.reproduction.ReproductionBudget
import dev.invariance.reproduction.ReproductionRun
import java.nio.file.Path

/*
 * E1 of science.md 3.1 as a [Reproduction]: Ji & Telgarsky's deep linear network (10-10-10-1, no bias, logistic loss,
 * full-batch gradient descent, η = 0.5) trained at three initial scales, with the checks A1.1–A1.4 and the figures
 * the paper's claims call for.
 */

/** One trained network of E1: its trace (every metric per checkpoint), cos(w, û) per checkpoint, and the model. */
private class ScaleRun(val scale: Double, val trace: List<TraceEntry>, val cosines: List<Double>, val model: DeepNetModel) {
    val last: TraceEntry get() = trace.last()
    val steps: List<Double> get() = trace.map { it.step.toDouble() }
    val rhoMin: Double get() = last.layers.minOf { it.rank1Ratio }
}

/**
 * Ji & Telgarsky 2019 (E1): the layers of a deep linear network trained by gradient descent on separable data become
 * rank one (ρ(W_i) = ‖W_i‖₂/‖W_i‖_F → 1), adjacent layers align (|v_{i+1}ᵀu_i| → 1) and the end-to-end predictor
 * turns to the hard-margin SVM direction; a smaller initialisation gets there sooner.
 */
class DeepLinearReproduction : Reproduction {
    override fun id(): String = "E1"

    override fun title(): String = "deep linear layers become rank one and align"

    override fun paper(): String = "Ji & Telgarsky 2019, Gradient descent aligns the layers of deep linear networks"

    override fun run(budget: ReproductionBudget, outDir: Path): ReproductionRun {
        val start = System.nanoTime()
        // science.md's budget is 2·10⁴ steps; the full run is ten times longer (the paper gives no step count)
        val steps = if (budget == ReproductionBudget.QUICK) 20_000L else 200_000L
        val interval = (steps / 80).toInt()
        val base = DeepLinearSettings(steps = steps, checkpointInterval = interval)
        val data = deepLinearData(base)
        val labelled = TribuoData.labelled(data)
        val svm = HardMarginSvm.create().fit(labelled)
        val runs = listOf(0.01, 0.1, 1.0).associateWith { scale ->
            val settings = base.copy(initScale = scale)
            val trace = MetricsTrace.create()
            val cosines = mutableListOf<Double>()
            val model = deepLinearTrainer(settings).train(data, interval) { checkpoint ->
                trace.onCheckpoint(checkpoint)
                cosines += MarginComparison.of(checkpoint.network, labelled, svm).cosine
            }
            ScaleRun(scale, trace.entries, cosines.toList(), model)
        }
        val main = runs.getValue(0.1)
        val checks = listOf(a11(main), a12(runs.getValue(0.01)), a13(runs.getValue(1.0)), a14(main))
        val figures = figures(runs).flatMap { it.writeTo(outDir) }
        val report = outDir.resolve("report.html")
        HtmlReport.of(ReportedModel.of("E1, init scale 0.1", InvarianceEvaluator.create().evaluate(main.model, data)))
            .withTrace(main.trace)
            .withTitle("E1 (Ji & Telgarsky 2019): deep linear network, init scale 0.1, $steps steps")
            .writeTo(report)
        return ReproductionRun(id(), checks, figures, report, (System.nanoTime() - start) / 1e9)
    }

    private fun a11(r: ScaleRun): Check {
        val aMin = r.last.pairs.minOf { it.adjacentAlignment }
        val cos = r.cosines.last()
        val loss = r.last.loss
        val figures = linkedMapOf("rho_min" to r.rhoMin, "a_min" to aMin, "cos" to cos, "loss" to loss)
        val misses = buildList {
            if (!(loss < 1e-4)) add("loss not below 1e-4")
            if (!(r.rhoMin > 0.99)) add("a layer's rho not above 0.99")
            if (!(aMin > 0.99)) add("an alignment not above 0.99")
            if (!(cos > 0.99)) add("cos(w, u_hat) not above 0.99")
        }
        return Check.asserted(
            "A1.1", "With init scale 0.1, after ${r.last.step} steps: loss < 1e-4, every rho(W_i) > 0.99, every " +
                "a_i > 0.99 and cos(w, u_hat) > 0.99.", misses.isEmpty(), figures,
            if (misses.isEmpty()) "every layer is rank one, the layers align and w points along the SVM direction"
            else misses.joinToString("; "),
        )
    }

    private fun a12(r: ScaleRun): Check = Check.asserted(
        "A1.2", "With init scale 0.01, every rho(W_i) > 0.999 after the same steps.", r.rhoMin > 0.999,
        linkedMapOf("rho_min" to r.rhoMin),
        if (r.rhoMin > 0.999) "a smaller initialisation is closer to rank one" else "a layer's rho is not above 0.999",
    )

    private fun a13(r: ScaleRun): Check {
        val cos = r.cosines.last()
        val holds = r.rhoMin < 0.95 && cos > 0.99
        return Check.asserted(
            "A1.3", "Control: with init scale 1.0, min rho < 0.95 after the same steps while cos(w, u_hat) > 0.99.",
            holds, linkedMapOf("rho_min" to r.rhoMin, "cos" to cos),
            if (holds) "the predictor converges while the layers are still far from rank one: the rate depends on the init"
            else "min rho is not below 0.95 or cos not above 0.99",
        )
    }

    /**
     * A1.4 (report only): ‖W_i‖_F grows monotonically after the first ~100 steps, and
     * ‖W_i‖_F² − ‖W_i‖₂² = (1 − ρ²)‖W_i‖_F² stays below 1.1·C_0, C_0 = Σ_i ‖D_i(0)‖_F (the balance at initialisation).
     */
    private fun a14(r: ScaleRun): Check {
        val late = r.trace.filter { it.step >= 100 }
        var decreases = 0
        late.zipWithNext { a, b -> a.layers.zip(b.layers) { x, y -> if (y.frobeniusNorm < x.frobeniusNorm) decreases++ } }
        val c0 = r.trace.first().drift.sumOf { it.balance }
        val ratio = late.maxOf { e -> e.layers.maxOf { (1 - it.rank1Ratio * it.rank1Ratio) * it.frobeniusNorm * it.frobeniusNorm } } / c0
        return Check.reported(
            "A1.4", "Report only: ||W_i||_F increases after step 100, and (1 - rho^2)||W_i||_F^2 <= 1.1 C_0 with " +
                "C_0 = sum_i ||D_i(0)||_F.",
            linkedMapOf("frobenius_decreases" to decreases.toDouble(), "bound_ratio" to ratio, "C0" to c0),
            "$decreases decreases of a layer's norm between checkpoints after step 100; the largest " +
                "(1 - rho^2)||W||_F^2 is ${Check.format(ratio)} C_0 (the bound asks for at most 1.1)",
        )
    }

    private fun figures(runs: Map<Double, ScaleRun>): List<Figure> {
        val main = runs.getValue(0.1)
        val steps = "training step (gradient-descent updates)"
        val loss = Figure.builder("E1: training loss").id("e1-loss").xAxis(steps).yAxis("mean logistic loss")
            .logY(true).caption("The loss falls towards 0 at every initial scale: the data are separable.")
        runs.values.forEach { loss.series("init scale ${it.scale}", it.steps, it.trace.map { e -> e.loss }) }
        val rank = Figure.builder("E1: distance to rank one").id("e1-rank1").xAxis(steps)
            .yAxis("1 − ρ(W_i) (dimensionless)").logY(true)
            .caption("ρ = ‖W_i‖₂/‖W_i‖_F: each hidden layer approaches rank one (A1.1, A1.2); at scale 1.0 it stays far (A1.3).")
        main.last.layers.indices.filter { main.last.layers[it].shape[0] > 1 }.forEach { i ->
            rank.series("${main.last.layers[i].name}, scale 0.1", main.steps, main.trace.map { 1 - it.layers[i].rank1Ratio })
        }
        listOf(0.01, 1.0).map(runs::getValue).forEach { r ->
            rank.series("min over layers, scale ${r.scale}", r.steps, r.trace.map { e -> 1 - e.layers.minOf { it.rank1Ratio } })
        }
        val align = Figure.builder("E1: alignment of adjacent layers").id("e1-alignment").xAxis(steps)
            .yAxis("1 − a_i (dimensionless)").logY(true)
            .caption("a_i = |v_{i+1}ᵀu_i|: the top singular vectors of consecutive layers line up (init scale 0.1).")
        main.last.pairs.indices.forEach { p ->
            val pair = main.last.pairs[p]
            align.series("${pair.producerName} → ${pair.consumerName}", main.steps, main.trace.map { 1 - it.pairs[p].adjacentAlignment })
        }
        val svm = Figure.builder("E1: predictor against the max-margin direction").id("e1-svm-cosine").xAxis(steps)
            .yAxis("1 − cos(w, û) (dimensionless)").logY(true)
            .caption("w = (W_2W_1W_0)ᵀ turns to the hard-margin SVM direction û at every initial scale.")
        runs.values.forEach { svm.series("init scale ${it.scale}", it.steps, it.cosines.map { c -> 1 - c }) }
        val norms = Figure.builder("E1: layer norms").id("e1-frobenius").xAxis(steps).yAxis("‖W_i‖_F")
            .logY(true).caption("The norms grow without bound while the directions converge (A1.4, init scale 0.1).")
        main.last.layers.indices.forEach { i ->
            norms.series(main.last.layers[i].name, main.steps, main.trace.map { it.layers[i].frobeniusNorm })
        }
        return listOf(loss, rank, align, svm, norms).map { it.build() }
    }

    companion object {
        /** Runs E1: `[--full] [OUT_DIR]`; exits 1 when an asserted check fails. */
        @JvmStatic
        fun main(args: Array<String>) = ReproductionMain.main(DeepLinearReproduction(), args)
    }
}
