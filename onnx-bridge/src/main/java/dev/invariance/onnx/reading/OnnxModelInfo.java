package dev.invariance.onnx.reading;

import org.jspecify.annotations.Nullable;

/**
 * What an ONNX file says about itself (the {@code "model"} block of the JSON report).
 *
 * @param path              the file as given
 * @param producerName      {@code producer_name} ("" when absent), for example {@code pytorch} or {@code Tribuo}
 * @param producerVersion   {@code producer_version} ("" when absent)
 * @param opset             the version of the default ({@code ai.onnx}) operator set imported, or 0 when none is
 * @param irVersion         the ONNX IR version
 * @param graphName         the main graph's name
 * @param tribuoProvenance  the serialised Tribuo model provenance under metadata key {@code TRIBUO_PROVENANCE} (our
 *                          own exports), or null
 */
public record OnnxModelInfo(String path, String producerName, String producerVersion, long opset, long irVersion,
                            String graphName, @Nullable String tribuoProvenance) {
}
