@file:JvmName("TribuoUserTour")

package dev.invariance.examples

import ai.onnxruntime.OrtSession
import dev.invariance.analysis.AnalysisOptions
import dev.invariance.analysis.AnalysisStatus
import dev.invariance.analysis.LayerSelection
import dev.invariance.analysis.WeightAnalyzer
import dev.invariance.compression.RankChoice
import dev.invariance.data.CsvDatasets
import dev.invariance.deepnet.DeepNetModel
import dev.invariance.deepnet.DeepNetTrainer
import dev.invariance.evaluation.InvarianceEvaluator
import dev.invariance.evaluation.InvarianceMetrics
import dev.invariance.network.Activation
import dev.invariance.report.HtmlReport
import dev.invariance.report.ReportedModel
import dev.invariance.training.OptimizerKind
import dev.invariance.training.TrainingListener
import org.tribuo.Prediction
import org.tribuo.classification.Label
import org.tribuo.classification.LabelFactory
import org.tribuo.classification.evaluation.LabelEvaluator
import org.tribuo.evaluation.CrossValidation
import org.tribuo.interop.onnx.DenseTransformer
import org.tribuo.interop.onnx.LabelTransformer
import org.tribuo.interop.onnx.ONNXExternalModel
import java.io.ObjectInputStream
import java.io.ObjectOutputStream
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import kotlin.math.abs

/*
 * The library as a Kotlin user of Tribuo meets it, start to finish: CSV files become Tribuo datasets, the trainer is
 * configured with `apply {}`, training reports to a trailing lambda (and, set on the trainer, through Tribuo's own
 * CrossValidation), the InvarianceEvaluator reports the low-rank and alignment figures, looked up by layer name and by
 * typed metric id, and the model goes through ONNX (reloaded in ONNX Runtime), Java serialisation and Tribuo's
 * protobuf format. Nothing here casts or uses `!!` except reading a Java-serialised object, which is untyped by nature.
 */

/** Everything the tour measured, so a test can hold the library to it. */
data class TribuoUserTourResult(
    val trainExamples: Int,
    val testExamples: Int,
    /** The loss at every checkpoint the trailing-lambda listener saw, step 0 first. */
    val checkpointLosses: List<Double>,
    /** The steps the listener set on the trainer saw during 3-fold cross-validation, all folds together. */
    val crossValidationSteps: List<Long>,
    val crossValidationAccuracy: Double,
    val testAccuracy: Double,
    val finalLoss: Double,
    val layerNames: List<String>,
    /** How many singular values the report lists per layer (the analysis options ask for the top 3). */
    val singularValuesListed: List<Int>,
    /** ρ(W_0) read from the report by layer name. */
    val rank1RatioByName: Double,
    /** ρ(W_0) read from Tribuo's metric map by typed id. */
    val rank1RatioById: Double,
    /** |v_1ᵀu_0| read by pair name and by typed id. */
    val topAlignmentByName: Double,
    val topAlignmentById: Double,
    /** The largest |score difference| between the model and its ONNX export run by ONNX Runtime (float32). */
    val onnxMaxScoreDifference: Double,
    val onnxCarriesProvenance: Boolean,
    val javaSerialisedPredictsTheSame: Boolean,
    val protobufPredictsTheSame: Boolean,
    /** Every progress update a trailing lambda saw while the weights were analysed, in order. */
    val analysisProgress: List<AnalysisStatus>,
    /** The layers an analysis selecting `layer-[12]` reported, and its edges as `from->to`. */
    val selectedLayerNames: List<String>,
    val selectedEdges: List<String>,
    /** The HTML report of the model written to a path and to a stream: the same bytes. */
    val reportFile: Path,
    val reportWrittenToAStreamIsTheSame: Boolean,
    /** The model compressed at rank 2: its layer names, its test accuracy and whether it names its source model. */
    val compressedLayerNames: List<String>,
    val compressedTestAccuracy: Double,
    val compressedKeepsTheSourceProvenance: Boolean,
)

/** Copies an example CSV file (a resource of this module) into [workDir], where a user's data file would be. */
fun sensorCsv(workDir: Path, name: String): Path {
    val target = workDir.resolve(name)
    val resource = TribuoUserTourResult::class.java.getResourceAsStream("/dev/invariance/examples/$name")
        ?: error("$name is missing from the examples' resources")
    resource.use { Files.copy(it, target, StandardCopyOption.REPLACE_EXISTING) }
    return target
}

/** Runs the tour on the sensor CSV, writing the model files under [workDir]. */
fun runTribuoUserTour(workDir: Path): TribuoUserTourResult {
    val train = CsvDatasets.load(sensorCsv(workDir, "sensors-train.csv"), "state")
    val test = CsvDatasets.load(sensorCsv(workDir, "sensors-test.csv"), "state")

    val trainer = DeepNetTrainer.builder().apply {
        hidden = listOf(8, 8)
        activations = listOf(Activation.RELU)
        bias = true
        optimizer = OptimizerKind.ADAM
        learningRate = 0.01
        adamBeta2 = 0.99
        steps = 300
        seed = 7L
    }.build()

    // Set on the trainer, the listener follows every train(Dataset) call, including Tribuo's own.
    val crossValidationSteps = mutableListOf<Long>()
    trainer.listener = TrainingListener { checkpoint -> crossValidationSteps += checkpoint.step }
    val folds = CrossValidation(trainer, train, LabelEvaluator(), 3).evaluate()
    val crossValidationAccuracy = folds.map { it.a.accuracy() }.average()
    trainer.listener = null

    val losses = mutableListOf<Double>()
    val model = trainer.train(train) { checkpoint -> losses += checkpoint.loss }
    val testAccuracy = LabelEvaluator().evaluate(model, test).accuracy()

    val options = AnalysisOptions.builder().apply { topK = 3 }.build()
    val evaluation = InvarianceEvaluator.create(WeightAnalyzer.create(options)).evaluate(model, test)
    val report = evaluation.report
    val reportFile = workDir.resolve("sensors-report.html")
    val html = HtmlReport.of(ReportedModel.of("sensors", evaluation)).withTitle("Sensors: the user tour's model")
    html.writeTo(reportFile)
    val streamed = java.io.ByteArrayOutputStream().also { html.writeTo(it) }.toByteArray()
    val first = report.layers.first().name
    val second = report.layers[1].name

    // A long analysis reports through one callback, a trailing lambda; a pattern selects the layers to analyse.
    val analysisProgress = mutableListOf<AnalysisStatus>()
    WeightAnalyzer.create(options).withProgress { status -> analysisProgress += status }.analyze(model.network)
    val selected = WeightAnalyzer.create(AnalysisOptions.builder().apply {
        layers = LayerSelection.matching("layer-[12]")
    }.build()).analyze(model.network)

    val onnxFile = workDir.resolve("sensors.onnx")
    model.saveONNXModel("dev.invariance.examples", 1, onnxFile)
    val features = model.featureIDMap.associate { it.name to model.featureIDMap.getID(it.name) }
    val outputs = model.outputIDInfo.domain.associateWith { model.outputIDInfo.getID(it) }
    val (onnxDifference, onnxProvenance) = ONNXExternalModel.createOnnxModel(LabelFactory(), features, outputs,
        DenseTransformer(), LabelTransformer(model.generatesProbabilities()), OrtSession.SessionOptions(), onnxFile,
        "input").use { onnx ->
        maxScoreDifference(model.predict(test), onnx.predict(test)) to
            (onnx.tribuoProvenance.orElse(null) == model.provenance)
    }

    val javaFile = workDir.resolve("sensors.ser")
    ObjectOutputStream(Files.newOutputStream(javaFile)).use { it.writeObject(model) }
    val fromJava = ObjectInputStream(Files.newInputStream(javaFile)).use { it.readObject() as DeepNetModel }

    val protobufFile = workDir.resolve("sensors.tribuo")
    model.serializeToFile(protobufFile)
    val fromProtobuf = DeepNetModel.deserializeFromFile(protobufFile)

    // Low-rank layers become pairs of thin layers: a smaller DeepNetModel whose provenance names its source.
    val compressed = model.compress(RankChoice.fixedRank(2))
    val compressedAccuracy = LabelEvaluator().evaluate(compressed, test).accuracy()
    val keepsSource = compressed.provenance.instanceProvenance.map[DeepNetModel.COMPRESSED_FROM] == model.provenance

    return TribuoUserTourResult(
        trainExamples = train.size(),
        testExamples = test.size(),
        checkpointLosses = losses.toList(),
        crossValidationSteps = crossValidationSteps.toList(),
        crossValidationAccuracy = crossValidationAccuracy,
        testAccuracy = testAccuracy,
        finalLoss = model.lossCurve.finalLoss,
        layerNames = report.layers.map { it.name },
        singularValuesListed = report.layers.map { it.singularValues.size },
        rank1RatioByName = report.layer(first).rank1Ratio,
        rank1RatioById = evaluation.get(InvarianceMetrics.RANK1_RATIO.forLayer(first)),
        topAlignmentByName = report.pair(first, second).adjacentAlignment,
        topAlignmentById = evaluation.get(InvarianceMetrics.TOP_ALIGNMENT.forPair(first, second)),
        onnxMaxScoreDifference = onnxDifference,
        onnxCarriesProvenance = onnxProvenance,
        javaSerialisedPredictsTheSame = maxScoreDifference(model.predict(test), fromJava.predict(test)) == 0.0,
        protobufPredictsTheSame = maxScoreDifference(model.predict(test), fromProtobuf.predict(test)) == 0.0,
        analysisProgress = analysisProgress.toList(),
        selectedLayerNames = selected.layers.map { it.name },
        selectedEdges = selected.edges.map { "${it.producerName}->${it.consumerName}" },
        reportFile = reportFile,
        reportWrittenToAStreamIsTheSame = Files.readAllBytes(reportFile).contentEquals(streamed),
        compressedLayerNames = (0 until compressed.network.depth()).map { compressed.network.layer(it).name },
        compressedTestAccuracy = compressedAccuracy,
        compressedKeepsTheSourceProvenance = keepsSource,
    )
}

/** The largest |score difference| over all examples and classes of two prediction lists of the same examples. */
fun maxScoreDifference(expected: List<Prediction<Label>>, actual: List<Prediction<Label>>): Double {
    require(expected.size == actual.size) { "${expected.size} and ${actual.size} predictions" }
    return expected.zip(actual).maxOf { (e, a) ->
        e.outputScores.maxOf { (name, label) ->
            val other = a.outputScores[name] ?: error("class $name is missing from the second prediction")
            abs(label.score - other.score)
        }
    }
}

/** Runs the tour in a temporary folder and prints what it found. */
fun main() {
    val dir = Files.createTempDirectory("tribuo-user-tour")
    val r = runTribuoUserTour(dir)
    println("trained on ${r.trainExamples} rows of sensors-train.csv, tested on ${r.testExamples} of sensors-test.csv")
    println("loss %.3e -> %.3e over %d checkpoints".format(r.checkpointLosses.first(), r.finalLoss, r.checkpointLosses.size))
    println("3-fold cross-validation: %d checkpoints reported, mean accuracy %.3f".format(r.crossValidationSteps.size,
        r.crossValidationAccuracy))
    println("test accuracy %.3f".format(r.testAccuracy))
    println("rank-1 ratio of ${r.layerNames.first()}: %.4f (by id %.4f)".format(r.rank1RatioByName, r.rank1RatioById))
    println("top alignment ${r.layerNames[0]} -> ${r.layerNames[1]}: %.4f".format(r.topAlignmentByName))
    println("ONNX Runtime agrees to %.1e (provenance carried: %s)".format(r.onnxMaxScoreDifference, r.onnxCarriesProvenance))
    println("Java serialisation round trip: ${r.javaSerialisedPredictsTheSame}; protobuf: ${r.protobufPredictsTheSame}")
    println("compressed at rank 2: layers ${r.compressedLayerNames}, test accuracy %.3f".format(r.compressedTestAccuracy))
    println("files in $dir")
}
