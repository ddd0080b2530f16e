package dev.invariance.onnx.running;

import dev.invariance.analysis.LabelledData;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.data.CsvExampleReader;
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

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one pass of the data through an ONNX model gives: the CSV read in batches into one direct buffer, each batch
 * run by the {@link ActivationProbe} (which counts the activation patterns), its outputs turned into predictions when
 * the {@code LabelEvaluation} is made, and its rows kept for the SVM comparison while they fit ({@link MarginRows}).
 *
 * @param activations   the observed patterns of the ReLU layers
 * @param predictions   one per example when the {@code LabelEvaluation} is made, else empty
 * @param outputInfo    the label of each output column, or null without the {@code LabelEvaluation}
 * @param probabilities whether the predictions' scores are probabilities
 * @param featureNames  the feature columns, in input order
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
     * Streams the rows of {@code reader} through {@code probe}, {@code batch} at a time.
     *
     * @param labelEvaluation whether to read the model's outputs into predictions
     * @param classes         the class of each output column
     * @throws InvalidDataException  when the CSV's feature columns do not fill the input, a row is bad, or there are
     *                               no rows
     * @throws dev.invariance.onnx.reading.InvalidModelException when the model's outputs do not fit the classes or
     *                               ONNX Runtime fails
     */
    static DataPass stream(boolean labelEvaluation, OnnxModel model, Path data, String labelColumn,
                           List<String> classes, ActivationProbe probe, CsvExampleReader reader, int batch) {
        String source = model.info().path();
        int size = probe.getExampleSize();
        List<String> features = reader.getFeatureColumns();
        if (features.size() != size) {
            throw new InvalidDataException(data + ": line 1: " + features.size()
                    + " feature columns (every column but '" + labelColumn + "'), but input '" + probe.getInputName()
                    + "' of " + source + " takes " + size + " values per example (shape "
                    + ActivationProbe.describeShape(withBatch(probe.getExampleShape())) + ")");
        }
        OutputReading reading = labelEvaluation ? OutputReading.of(model.getModelProto(), probe, classes, source)
                : null;
        ImmutableOutputInfo<Label> outputInfo = reading == null ? null : EvaluatedOnnxModel.columns(classes);
        FloatBuffer buffer = ByteBuffer.allocateDirect(batch * size * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        Set<String> known = new LinkedHashSet<>(classes);
        String marginNote = MarginRows.reasonAgainst(model.outline(), classes, size);
        MarginRows marginRows = marginNote.isEmpty() ? new MarginRows(size, MarginRows.budget()) : null;
        List<Prediction<Label>> predictions = new ArrayList<>();
        List<String> labels = new ArrayList<>(batch);
        long start = System.nanoTime();
        while (true) {
            labels.clear();
            buffer.clear();
            int rows = reader.read(buffer, batch, labels, known);
            if (rows == 0) {
                break;
            }
            buffer.flip();
            List<Example<Label>> examples = new ArrayList<>(outputInfo == null ? 0 : rows);
            if (outputInfo != null) {
                for (String l : labels) {
                    examples.add(new ArrayExample<>(new Label(l)));
                }
            }
            int[] used = new int[rows];
            Arrays.fill(used, size);
            probe.runBatch(buffer, rows, reading == null ? null : (outputs, n) -> predictions.addAll(
                    reading.transformer().transformToBatchPrediction(reading.select(outputs), outputInfo, used, examples)));
            if (marginRows != null && !marginRows.add(buffer, rows, labels, classes.get(1))) {
                marginNote = marginRows.overBudget();
                marginRows = null;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (reader.getRows() == 0) {
            throw new InvalidDataException(data + ": no data rows after the header");
        }
        Execution execution = new Execution(probe.getProvider(), probe.getDeviceId(),
                OrtSessions.environment().getVersion(), probe.getExamples(), seconds);
        OnnxDataProvenance provenance = new OnnxDataProvenance(data.toString(), labelColumn, probe.getInputName(), batch,
                execution);
        return new DataPass(probe.activations(), predictions, outputInfo,
                reading != null && reading.transformer().generatesProbabilities(), features,
                marginRows == null ? null : marginRows.data(), marginNote, execution, provenance);
    }

    /** An example's shape with the batch axis (shown as {@code N}) in front. */
    private static long[] withBatch(long[] example) {
        long[] s = new long[example.length + 1];
        s[0] = -1;
        System.arraycopy(example, 0, s, 1, example.length);
        return s;
    }
}
