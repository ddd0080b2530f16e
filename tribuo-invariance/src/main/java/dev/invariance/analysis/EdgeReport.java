package dev.invariance.analysis;

import dev.invariance.network.UnitMapping;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * One data-flow edge of an analysed network (producer's output reaching consumer's input through {@code ops}) with
 * its pair metrics, or the reason it has none. Pair metrics compare u₁ of W_producer (in R^{d_out(producer)}) with
 * v₁ of W_consumer (in R^{d_in(consumer)}), so they exist only when both vectors live in the same space: equal
 * widths, no {@code Conv} kernel whose columns are input patches or one group's channels (anything but a pointwise
 * kernel with one group), no {@code ConvTranspose} kernel whose rows are output channels at kernel positions (a
 * producer with a kernel larger than 1) or whose groups share its rows; a single-group {@code ConvTranspose}'s
 * columns are its input channels, so it is paired with its producer like a dense layer. Exactly one of
 * {@code metrics} and {@code reason} is null.
 *
 * @param producer     index of the producing layer
 * @param consumer     index of the consuming layer
 * @param producerName name of the producing layer
 * @param consumerName name of the consuming layer
 * @param ops          the operations passed through, in data-flow order (ONNX op types)
 * @param viaResidual  whether the path passes through a residual addition
 * @param metrics      the pair metrics, or null when the vectors live in different spaces
 * @param reason       one line saying why there are no metrics (for example
 *                     {@code d_out(h.0.attn.c_attn.weight)=4800 but d_in(h.0.attn.c_proj.weight)=1600 (through Slice)}),
 *                     or null when there are
 * @param units        how the producer's units reach the consumer's columns
 */
public record EdgeReport(int producer, int consumer, String producerName, String consumerName, List<String> ops,
                         boolean viaResidual, @Nullable PairMetrics metrics, @Nullable String reason,
                         UnitMapping units) {
    /** Copies the list and checks that exactly one of metrics and reason is given. */
    public EdgeReport {
        Objects.requireNonNull(producerName, "producerName");
        Objects.requireNonNull(consumerName, "consumerName");
        Objects.requireNonNull(units, "units");
        ops = List.copyOf(ops);
        if ((metrics == null) == (reason == null)) {
            throw new IllegalArgumentException("edge " + producerName + " -> " + consumerName
                    + " needs either metrics or a reason, not " + (metrics == null ? "neither" : "both"));
        }
    }

    /** An edge whose producer's unit j is the consumer's column j. */
    public EdgeReport(int producer, int consumer, String producerName, String consumerName, List<String> ops,
                      boolean viaResidual, @Nullable PairMetrics metrics, @Nullable String reason) {
        this(producer, consumer, producerName, consumerName, ops, viaResidual, metrics, reason, UnitMapping.identity());
    }

    /** Whether the edge has pair metrics. */
    public boolean hasMetrics() {
        return metrics != null;
    }
}
