package dev.invariance.onnx.running;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Lists of names an ONNX model's metadata holds as JSON arrays of strings: our exports write {@code feature_names}
 * (the input's columns, in order) and {@code class_names} (the output's columns, in order).
 */
final class MetadataNames {
    private MetadataNames() {
    }

    /**
     * The names the model's metadata holds under {@code key}, or null when the key is absent or its value is not a
     * non-empty JSON array of strings (a metadata value that is not ours: the documented defaults apply then).
     */
    static @Nullable List<String> of(OnnxMl.ModelProto proto, String key) {
        for (OnnxMl.StringStringEntryProto e : proto.getMetadataPropsList()) {
            if (!e.getKey().equals(key)) {
                continue;
            }
            try {
                JsonNode node = new ObjectMapper().readTree(e.getValue());
                if (node == null || !node.isArray() || node.isEmpty()) {
                    return null;
                }
                List<String> names = new ArrayList<>();
                for (JsonNode n : node) {
                    if (!n.isTextual()) {
                        return null;
                    }
                    names.add(n.asText());
                }
                return List.copyOf(names);
            } catch (JsonProcessingException ex) {
                return null; // a metadata value that is not ours: fall back to the documented defaults
            }
        }
        return null;
    }
}
