package dev.invariance.onnx.reading;

import dev.invariance.compression.CompressedLayer;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link OnnxCompressor} wrote: the compressed model beside its source, and what each selected layer became.
 *
 * @param source                the model compressed
 * @param target                the compressed model written
 * @param sourceSha256          the source file's SHA-256 (lower-case hexadecimal), also in the target's metadata
 * @param settings              how the ranks were chosen, as recorded in the target's metadata
 * @param layers                the selected dense layers, in graph order: factored ({@code rank > 0}) or kept
 * @param parametersBefore      elements of every initializer of the source's main graph
 * @param parametersAfter       the same for the target
 * @param fileBytesBefore       the source file and its external data files
 * @param fileBytesAfter        the target file and its external data file
 * @param multiplyAddsBefore    Σ d_out·d_in over the source's dense layers of the main graph (a convolution counted
 *                              once per output position): the multiply-adds per example of a one-row input
 * @param multiplyAddsAfter     the same with each factored layer's r·(d_in + d_out)
 * @param notes                 one line per selected layer kept for its form (an operator layout not rewritten)
 */
public record OnnxCompression(Path source, Path target, String sourceSha256, String settings,
                              List<CompressedLayer> layers, long parametersBefore, long parametersAfter,
                              long fileBytesBefore, long fileBytesAfter, long multiplyAddsBefore,
                              long multiplyAddsAfter, List<String> notes) {
    /** Copies the lists. */
    public OnnxCompression {
        layers = List.copyOf(layers);
        notes = List.copyOf(notes);
    }
}
