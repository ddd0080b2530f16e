package dev.invariance.onnx.reading;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.invariance.onnx.reading.OnnxModels.external;
import static dev.invariance.onnx.reading.OnnxModels.floats;
import static dev.invariance.onnx.reading.OnnxModels.matMul;
import static dev.invariance.onnx.reading.OnnxModels.model;
import static dev.invariance.onnx.reading.OnnxModels.write;

/** Invalid model files for tests outside this package (the command line's). */
public final class UntrustedModelFiles {
    private UntrustedModelFiles() {
    }

    /** A MatMul whose weight holds a NaN. */
    public static Path nanWeights(Path dir) throws IOException {
        return write(dir.resolve("nan.onnx"), model(matMul(floats("W", new long[] {1, 2}, 1, Float.NaN))));
    }

    /** A model in {@code dir/model} whose external data location is {@code ../secret.data}. */
    public static Path escapingExternalData(Path dir) throws IOException {
        Path sub = Files.createDirectories(dir.resolve("model"));
        Files.write(dir.resolve("secret.data"), new byte[16]);
        return write(sub.resolve("up.onnx"), model(matMul(external("W", new long[] {2, 2}, "../secret.data", 0, 16))));
    }

    /** A valid 2 × 2 Gemm whose weight's name is {@code name} (terminal escapes, control characters). */
    public static Path gemmNamed(Path dir, String name) throws IOException {
        return write(dir.resolve("named.onnx"), HostileModels.gemmNamed(name, 2));
    }

    /** A 2 × 2 Gemm whose weight, named {@code name}, holds a NaN. */
    public static Path nanGemmNamed(Path dir, String name) throws IOException {
        return write(dir.resolve("named-nan.onnx"), HostileModels.gemmNamed(name, Float.NaN));
    }
}
