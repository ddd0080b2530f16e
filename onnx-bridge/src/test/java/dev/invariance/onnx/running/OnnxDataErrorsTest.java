package dev.invariance.onnx.running;

import dev.invariance.onnx.running.internal.OrtSessions;
import dev.invariance.onnx.reading.InvalidModelException;
import dev.invariance.analysis.WeightAnalyzer;
import dev.invariance.data.InvalidDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.invariance.onnx.running.OrtFixtures.FIXTURES;
import static dev.invariance.onnx.running.OrtFixtures.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad data and unusable devices: one line naming the cause (file, line, column where it applies). */
class OnnxDataErrorsTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws Exception {
        Path p = dir.resolve("data.csv");
        Files.writeString(p, text);
        return p;
    }

    private static OnnxDataEvaluation analyze(Path data, OnnxDataOptions options, List<String> notes) {
        return OnnxDataAnalyzer.create(WeightAnalyzer.create(), options)
                .analyze(source("mlp_bias"), data, "label", notes::add);
    }

    private static String header() {
        return "f00,f01,f02,f03,f04,f05,label\n";
    }

    private static void oneLine(String message) {
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void wrongColumnCountNamesExpectedAndFoundSizes() throws Exception {
        Path data = csv("f00,f01,f02,f03,f04,label\n1,2,3,4,5,cat\n2,3,4,5,6,dog\n");
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> analyze(data, OnnxDataOptions.defaults(), new ArrayList<>()));
        oneLine(e.getMessage());
        assertTrue(e.getMessage().startsWith(data + ": line 1: 5 feature columns"), e.getMessage());
        assertTrue(e.getMessage().contains("takes 6 values per example (shape [N, 6])"), e.getMessage());
    }

    @Test
    void rowOfTheWrongLengthNamesTheLine() throws Exception {
        Path data = csv(header() + "1,2,3,4,5,6,cat\n1,2,3,4,5,dog\n");
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> analyze(data, OnnxDataOptions.defaults(), new ArrayList<>()));
        oneLine(e.getMessage());
        assertEquals(data + ": line 3: 6 cells, the header has 7", e.getMessage());
    }

    @Test
    void nonNumericCellNamesLineAndColumn() throws Exception {
        Path data = csv(header() + "1,2,3,4,5,6,cat\n1,2,x3,4,5,6,dog\n1,2,3,4,5,6,eel\n");
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> analyze(data, OnnxDataOptions.defaults(), new ArrayList<>()));
        oneLine(e.getMessage());
        assertEquals(data + ": line 3, column 'f02' (3): 'x3' is not a number", e.getMessage());
    }

    /** Issue 19: 1e39 is finite as a double but +infinity as the float32 ONNX Runtime is given; refused like 1e400. */
    @Test
    void aValueBeyondTheFloat32RangeIsRefusedLikeOneBeyondTheDoubleRange() throws Exception {
        for (String value : List.of("1e39", "-1e39", "1e400")) {
            Path data = csv(header() + "1,2,3,4,5,6,cat\n1,2,3," + value + ",5,6,dog\n1,2,3,4,5,6,eel\n");
            InvalidDataException e = assertThrows(InvalidDataException.class,
                    () -> analyze(data, OnnxDataOptions.defaults(), new ArrayList<>()));
            oneLine(e.getMessage());
            assertTrue(e.getMessage().startsWith(data + ": line 3, column 'f03' (4): '" + value + "' is not finite"),
                    e.getMessage());
        }
    }

    @Test
    void unknownLabelValueNamesLineColumnAndTheClasses() throws Exception {
        Path data = csv(header() + "1,2,3,4,5,6,cat\n1,2,3,4,5,6,emu\n");
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> analyze(data, OnnxDataOptions.defaults().withClasses(List.of("cat", "dog", "eel")),
                        new ArrayList<>()));
        oneLine(e.getMessage());
        assertEquals(data + ": line 3, column 'label' (7): unknown label 'emu' (the model's classes: cat, dog, eel)",
                e.getMessage());
    }

    @Test
    void moreLabelsThanOutputColumnsIsAModelMismatch() throws Exception {
        Path data = csv(header() + "1,2,3,4,5,6,a\n1,2,3,4,5,6,b\n");
        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> analyze(data, OnnxDataOptions.defaults(), new ArrayList<>()));
        oneLine(e.getMessage());
        assertTrue(e.getMessage().contains("output 'output' has 3 columns but there are 2 classes (a, b)"), e.getMessage());
    }

    @Test
    void emptyFileAndHeaderOnly() throws Exception {
        Path empty = csv("");
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> analyze(empty, OnnxDataOptions.defaults(), new ArrayList<>()));
        assertEquals(empty + ": empty file (expected a header row and data rows)", e.getMessage());
        Path headerOnly = csv(header());
        e = assertThrows(InvalidDataException.class,
                () -> analyze(headerOnly, OnnxDataOptions.defaults(), new ArrayList<>()));
        assertEquals(headerOnly + ": no data rows after the header", e.getMessage());
        e = assertThrows(InvalidDataException.class,
                () -> analyze(headerOnly, OnnxDataOptions.defaults().withClasses(List.of("cat", "dog", "eel")),
                        new ArrayList<>()));
        assertEquals(headerOnly + ": no data rows after the header", e.getMessage());
    }

    @Test
    void quotedCellsAreRead() throws Exception {
        Path data = csv(header() + "\"1\",2,3,4,5,6,\"cat\"\n1,2,3,4,5,6,dog\n1,2,3,4,5,6,eel\n");
        OnnxDataEvaluation r = analyze(data, OnnxDataOptions.defaults(), new ArrayList<>());
        assertEquals(3, r.execution().examples());
        assertEquals("cat", r.evaluation().getPredictions().get(0).getExample().getOutput().getLabel());
    }

    @Test
    void cudaWithoutAUsableProviderIsOneLineNamingOnnxRuntimesReason() {
        List<String> notes = new ArrayList<>();
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class,
                () -> analyze(FIXTURES.resolve("mlp_bias.csv"), OnnxDataOptions.defaults()
                        .withDevice(ExecutionDevice.parse("cuda")), notes));
        oneLine(e.getMessage());
        assertTrue(e.getMessage().startsWith("--device cuda:0: ONNX Runtime cannot use the CUDA execution provider: "),
                e.getMessage());
        // the CPU-only jar's own words; with onnxruntime_gpu and no CUDA, ONNX Runtime names the missing library
        assertTrue(e.getMessage().contains("Failed to find CUDA shared provider")
                || e.getMessage().matches(".*lib[a-zA-Z_]+\\.so.*"), e.getMessage());
        assertTrue(notes.isEmpty());
    }

    @Test
    void autoFallsBackToTheCpuWithANote() {
        List<String> notes = new ArrayList<>();
        OnnxDataEvaluation r = analyze(FIXTURES.resolve("mlp_bias.csv"),
                OnnxDataOptions.defaults().withDevice(ExecutionDevice.parse("auto")), notes);
        assertEquals(OrtSessions.CPU_PROVIDER, r.execution().provider());
        assertEquals(1, notes.size(), notes.toString());
        oneLine(notes.get(0));
        assertTrue(notes.get(0).startsWith("note: --device auto: ONNX Runtime cannot use the CUDA execution provider"),
                notes.get(0));
        assertTrue(notes.get(0).endsWith("; running on CPUExecutionProvider"), notes.get(0));
    }

    @Test
    void deviceNamesParse() {
        assertEquals(ExecutionDevice.cpu(), ExecutionDevice.parse("CPU"));
        assertEquals(ExecutionDevice.cuda(0), ExecutionDevice.parse("cuda"));
        assertEquals(ExecutionDevice.cuda(2), ExecutionDevice.parse("cuda:2"));
        assertEquals(ExecutionDevice.auto(), ExecutionDevice.parse("auto"));
        for (String bad : List.of("tpu", "cuda:x", "cuda:-1", "cpu:1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecutionDevice.parse(bad));
            assertTrue(e.getMessage().contains("expected cpu, cuda, cuda:N or auto"), e.getMessage());
        }
    }
}
