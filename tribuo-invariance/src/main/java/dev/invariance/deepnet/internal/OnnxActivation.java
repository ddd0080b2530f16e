package dev.invariance.deepnet.internal;

import org.jspecify.annotations.Nullable;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * ONNX operators Tribuo 4.3.2's {@code ONNXOperators} lacks: {@code Relu} (opset 13, default domain).
 *
 * <p>Package-private: both deep-net models export their layers through
 * {@link OnnxNetwork}.
 */
enum OnnxActivation implements ONNXOperator {
    /** Y = max(X, 0). */
    RELU("Relu");

    private final String opName;

    OnnxActivation(String opName) {
        this.opName = opName;
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return 1;
    }

    @Override
    public int getNumOptionalInputs() {
        return 0;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return Collections.emptyMap();
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return Collections.emptySet();
    }

    @Override
    public int getOpVersion() {
        return 13;
    }

    @Override
    public @Nullable String getOpDomain() {
        return null; // the default ai.onnx domain, as Tribuo's own operators report it
    }
}
