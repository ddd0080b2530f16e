package dev.invariance.onnx.running;

import ai.onnxruntime.OnnxJavaType;
import dev.invariance.analysis.LabelledData;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.data.InvalidDataException;
import dev.invariance.evaluation.Execution;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.running.internal.ActivationProbe;
import dev.invariance.onnx.running.internal.OrtSessions;
import org.jspecify.annotations.Nullable;
import org.tribuo.Example;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one pass of the data through an ONNX model gives: the examples (CSV rows or {@code .npy} files) read in batches
 * into one direct buffer of the input's element type, each batch run by the {@link ActivationProbe} (which counts the
 * activation patterns), its outputs turned into predictions when the {@code LabelEvaluation} is made, and its rows kept
 * for the SVM comparison while they fit ({@link MarginRows}).
 *
 * @param activations   the observed patterns of the ReLU layers
 * @param predictions   one per example when the {@code LabelEvaluation} is made, else empty
 * @param outputInfo    the label of each output column, or null without the {@code LabelEvaluation}
 * @param probabilities whether the predictions' scores are probabilities
 * @param featureNames  the feature columns, in input order (none for {@code .npy} files)
 * @param marginData    the rows for the SVM comparison, or null when it is not made
 * @param marginNote    why it is not made (empty when it is)
 * @param execution     where and how long the model ran
 * @param provenance    the data's provenance
 */
record DataPass(List<LayerActivation> activations, List<Prediction<Label>> predictions,
                @Nullable ImmutableOutputInfo<Label> outputInfo, boolean probabilities,
                List<String> featureNames, @Nullable LabelledData marginData, String marginNote,
                Execution execution, OnnxDataProvenance provenance) {

    /**
     * Streams {@code examples} through {@code probe}, {@code batch} at a time.
     *
     * @param labelEvaluation whether to read the model's outputs into predictions
     * @param outputName      the output read as class scores, or null ({@link OutputReading#of})
     * @param classes         the class of each output column
     * @throws InvalidDataException  when an example is bad or there are none
     * @throws dev.invariance.onnx.reading.InvalidModelException when the model's outputs do not fit the classes or
     *                               ONNX Runtime fails
     */
    static DataPass stream(boolean labelEvaluation, @Nullable String outputName, OnnxModel model,
                           LabelledExamples data, LabelledExamples.Batches examples, String labelColumn,
                           List<String> classes, ActivationProbe probe, int batch) {
        String source = model.info().path();
        int size = probe.getExampleSize();
        OutputReading reading = labelEvaluation
                ? OutputReading.of(model.getModelProto(), probe, classes, source, outputName) : null;
        ImmutableOutputInfo<Label> outputInfo = reading == null ? null : EvaluatedOnnxModel.columns(classes);
        boolean floats = probe.getInputType() == OnnxJavaType.FLOAT;
        int valueBytes = probe.getInputType() == OnnxJavaType.INT64 ? Long.BYTES : Float.BYTES;
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact((long) batch * size * valueBytes))
                .order(ByteOrder.nativeOrder());
        Buffer buffer = probe.getInputType() == OnnxJavaType.INT64 ? bytes.asLongBuffer()
                : probe.getInputType() == OnnxJavaType.INT32 ? bytes.asIntBuffer() : bytes.asFloatBuffer();
        String marginNote = floats ? MarginRows.reasonAgainst(model.outline(), classes, size)
                : "input '" + probe.getInputName() + "' holds whole numbers, not the float values of a linear map";
        MarginRows marginRows = marginNote.isEmpty() ? new MarginRows(size, MarginRows.budget()) : null;
        List<Prediction<Label>> predictions = new ArrayList<>();
        List<String> labels = new ArrayList<>(batch);
        long start = System.nanoTime();
        while (true) {
            labels.clear();
            buffer.clear();
            int rows = examples.read(buffer, batch, labels);
            if (rows == 0) {
                break;
            }
            buffer.flip();
            List<Example<Label>> batchExamples = new ArrayList<>(outputInfo == null ? 0 : rows);
            if (outputInfo != null) {
                for (String l : labels) {
                    batchExamples.add(new ArrayExample<>(new Label(l)));
                }
            }
            int[] used = new int[rows];
            Arrays.fill(used, size);
            probe.runBatch(buffer, rows, reading == null ? null : (outputs, n) -> predictions.addAll(
                    reading.transformer().transformToBatchPrediction(reading.select(outputs), outputInfo, used,
                            batchExamples)));
            if (marginRows != null && !marginRows.add((FloatBuffer) buffer, rows, labels, classes.get(1))) {
                marginNote = marginRows.overBudget();
                marginRows = null;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (examples.rows() == 0) {
            throw new InvalidDataException(data.path() + ": no examples");
        }
        Execution execution = new Execution(probe.getProvider(), probe.getDeviceId(),
                OrtSessions.environment().getVersion(), probe.getExamples(), seconds);
        Path labelsFile = data.labelsFile();
        OnnxDataProvenance provenance = new OnnxDataProvenance(data.path().toString(),
                labelsFile == null ? null : labelsFile.toString(), labelColumn, probe.getInputName(), batch, execution);
        return new DataPass(probe.activations(), predictions, outputInfo,
                reading != null && reading.transformer().generatesProbabilities(), examples.featureNames(),
                marginRows == null ? null : marginRows.data(), marginNote, execution, provenance);
    }
}
