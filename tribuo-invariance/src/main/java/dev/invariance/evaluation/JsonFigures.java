package dev.invariance.evaluation;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.invariance.analysis.LayerMetrics;
import dev.invariance.analysis.PairMetrics;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.util.List;

/**
 * Values in the analysis JSON's conventions ({@code docs/json.md}), written to a streaming generator: a figure that
 * was not computed, and one that JSON cannot hold (NaN, an infinity), as {@code null}; −0.0 as 0.0; counts as
 * integers and flags as booleans ({@link InvarianceMetrics.Kind}); and the figures of a layer or of a pair, every
 * {@link InvarianceMetrics} that reads them, in the order of that enumeration.
 */
final class JsonFigures {
    /** The key of the ε that a matrix's numerical rank uses. */
    static final String NUMERICAL_RANK_EPS = "numerical_rank_eps";

    private final JsonGenerator g;

    JsonFigures(JsonGenerator g) {
        this.g = g;
    }

    /**
     * The figures of one matrix (a layer, or a stably-active submatrix): every layer metric, null when not computed,
     * with {@value #NUMERICAL_RANK_EPS} (the machine ε of the stored element type that the numerical rank's tolerance
     * σ₁·max(d_out, d_in)·ε uses) after {@code numerical_rank}.
     */
    void of(LayerMetrics l) throws IOException {
        for (InvarianceMetrics m : InvarianceMetrics.values()) {
            if (m.readsLayerMetrics()) {
                metric(m, m.valueOf(l));
                if (m == InvarianceMetrics.NUMERICAL_RANK) {
                    number(NUMERICAL_RANK_EPS, l.elementType().getMachineEpsilon());
                }
            }
        }
        g.writeBooleanField("complete_spectrum", l.isSpectrumComplete());
    }

    /** The figures of one pair: every pair metric, null when not computed. */
    void of(PairMetrics p) throws IOException {
        for (InvarianceMetrics m : InvarianceMetrics.values()) {
            if (m.readsPairMetrics()) {
                metric(m, m.valueOf(p));
            }
        }
    }

    /** {@code key: {figures of l}}, or {@code key: null} where there are none. */
    void objectOf(String key, @Nullable LayerMetrics l) throws IOException {
        g.writeFieldName(key);
        if (l == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            of(l);
            g.writeEndObject();
        }
    }

    /** {@code key: {figures of p}}, or {@code key: null} where there are none. */
    void objectOf(String key, @Nullable PairMetrics p) throws IOException {
        g.writeFieldName(key);
        if (p == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            of(p);
            g.writeEndObject();
        }
    }

    /** Writes {@code v} under the metric's key in the form its kind asks for; null (not computed) as null. */
    void metric(InvarianceMetrics metric, @Nullable Double v) throws IOException {
        if (v == null) {
            g.writeNullField(metric.getKey());
            return;
        }
        switch (metric.getKind()) {
            case COUNT -> g.writeNumberField(metric.getKey(), v.longValue());
            case FLAG -> g.writeBooleanField(metric.getKey(), v != 0.0);
            default -> number(metric.getKey(), v);
        }
    }

    /** A finite figure as a number (−0.0 as 0.0); NaN and infinities, which JSON cannot hold, as null. */
    void number(String key, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(key, v == 0.0 ? 0.0 : v); // -0.0 == 0.0: written as 0.0
        } else {
            g.writeNullField(key);
        }
    }

    /** An integer, or null where it is not known. */
    void integer(String key, @Nullable Number v) throws IOException {
        if (v == null) {
            g.writeNullField(key);
        } else {
            g.writeNumberField(key, v.longValue());
        }
    }

    /** An array of strings (on one line). */
    void strings(String key, List<String> values) throws IOException {
        g.writeArrayFieldStart(key);
        for (String s : values) {
            g.writeString(s);
        }
        g.writeEndArray();
    }
}
