package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.ModelProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.invariance.onnx.reading.HostileModels.conv;
import static dev.invariance.onnx.reading.HostileModels.dequantized;
import static dev.invariance.onnx.reading.HostileModels.halves;
import static dev.invariance.onnx.reading.HostileModels.integer;
import static dev.invariance.onnx.reading.HostileModels.integers;
import static dev.invariance.onnx.reading.HostileModels.ints;
import static dev.invariance.onnx.reading.HostileModels.squeezedWeight;
import static dev.invariance.onnx.reading.OnnxModels.floats;

/**
 * Writes the small hostile models of issue 19 as regression inputs of {@link OnnxReaderFuzzTest} (each is also a
 * case of {@link HostileModelTest}). Run from the repository root after changing {@link HostileModels}:
 * <pre>
 * mvn -B -q test-compile -pl onnx-bridge -am
 * java -cp "onnx-bridge/target/test-classes:onnx-bridge/target/classes:$(cat cp.txt)" \
 *     dev.invariance.onnx.reading.HostileSeedWriter \
 *     onnx-bridge/src/test/resources/dev/invariance/onnx/reading/OnnxReaderFuzzTestInputs/readerRefusesOnlyWithInvalidModelException
 * </pre>
 * where {@code cp.txt} holds the test class path ({@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 */
final class HostileSeedWriter {
    private HostileSeedWriter() {
    }

    /** The seeds by file name. */
    static Map<String, ModelProto> seeds() {
        Map<String, ModelProto> seeds = new LinkedHashMap<>();
        seeds.put("hostile_doubling_constants", HostileModels.doublingConstants(40));
        seeds.put("hostile_summed_gemms", HostileModels.summedGemms(200));
        seeds.put("hostile_empty_nodes", HostileModels.emptyNodes(1000));
        seeds.put("hostile_conv_group", conv(halves("K", 4, 2, 3, 3), integer("group", 3)));
        seeds.put("hostile_conv_group_max", conv(halves("K", 4, 2, 3, 3), integer("group", Integer.MAX_VALUE)));
        seeds.put("hostile_conv_empty_kernel", conv(halves("K", 5, 1L << 32, 1L << 32, 0)));
        seeds.put("hostile_conv_kernel_shape", conv(halves("K", 5, 1, 3), ints("kernel_shape", Integer.MAX_VALUE)));
        seeds.put("hostile_dequantize_zero_point_type", dequantized(
                integers("Wq", TensorPayload.INT8, new long[] {2, 3}, 1, -2, 3, -4, 5, -6),
                floats("scale", new long[] {}, 0.5f), integers("zero", TensorPayload.UINT8, new long[] {}, 3)));
        seeds.put("hostile_dequantize_2d_scale", dequantized(
                integers("Wq", TensorPayload.INT8, new long[] {2, 3}, 1, -2, 3, -4, 5, -6),
                floats("scale", new long[] {2, 1}, 0.5f, 0.25f), null));
        seeds.put("hostile_squeeze_axis1", squeezedWeight(halves("W", 4, 1, 1, 3), 1));
        seeds.put("hostile_squeeze_axis0", squeezedWeight(floats("W", new long[] {1, 1, 4}, 1, 2, 3, 4), 0));
        seeds.put("hostile_nested_if_shared_weight", HostileModels.sharedWeightInNestedBodies());
        seeds.put("hostile_negative_dims", HostileModels.declaredDims(-4, 3));
        seeds.put("hostile_terminal_escape_names", HostileModels.gemmNamed("\u001b]0;pwned\u0007W\u001b[2J\n", 2));
        return seeds;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        for (Map.Entry<String, ModelProto> e : seeds().entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue().toByteArray());
        }
    }
}
