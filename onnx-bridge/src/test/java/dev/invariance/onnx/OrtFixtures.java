package dev.invariance.onnx;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.invariance.network.Activation;
import dev.invariance.network.DataFlowEdge;
import dev.invariance.network.DenseLayer;
import dev.invariance.network.ElementType;
import dev.invariance.network.NetworkDescription;
import dev.invariance.network.WeightMatrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The fixtures of make_ort_fixtures.py and their numpy reference. */
final class OrtFixtures {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/ort");

    /** The dense layers' output values of each fixture, as torch.onnx.export named them. */
    private static final Map<String, List<String>> VALUES = Map.of(
            "mlp_bias", List.of("/layers.0/Gemm_output_0", "/layers.1/Gemm_output_0", "output"),
            "mlp_nobias", List.of("/layers.0/MatMul_output_0", "/layers.1/MatMul_output_0", "output"),
            "residual", List.of("/inp/Gemm_output_0", "/block/Gemm_output_0", "output"),
            "binary_logit", List.of("/layers.0/Gemm_output_0", "output"),
            "softmax", List.of("/layers.0/Gemm_output_0", "/layers.1/Gemm_output_0"),
            "input3d", List.of("/pos/Add_output_0", "output"));

    private OrtFixtures() {
    }

    static JsonNode reference(String name) {
        try {
            return new ObjectMapper().readTree(FIXTURES.resolve("reference.json").toFile()).path(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model with its dense layers built from the reference's weights and the binding of each layer. */
    static OnnxDataAnalyzer.ModelSource source(String name) {
        JsonNode ref = reference(name);
        Path file = FIXTURES.resolve(name + ".onnx");
        OnnxMl.ModelProto proto;
        try {
            proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<DenseLayer> layers = new ArrayList<>();
        List<OnnxLayerBinding> bindings = new ArrayList<>();
        JsonNode ls = ref.path("layers");
        for (int i = 0; i < ls.size(); i++) {
            JsonNode l = ls.get(i);
            JsonNode w = l.path("weights");
            double[][] rows = new double[w.size()][];
            for (int r = 0; r < w.size(); r++) {
                rows[r] = new double[w.get(r).size()];
                for (int c = 0; c < rows[r].length; c++) {
                    rows[r][c] = w.get(r).get(c).asDouble();
                }
            }
            boolean relu = l.path("relu").asBoolean();
            String layerName = "layer" + i;
            layers.add(new DenseLayer(layerName, "Gemm", WeightMatrix.fromRows(rows), null,
                    relu ? Activation.RELU : Activation.LINEAR, ElementType.FLOAT32));
            String value = VALUES.get(name).get(i);
            bindings.add(new OnnxLayerBinding(i, layerName, "node" + i, value, relu ? value + ":relu" : null, ""));
        }
        List<DataFlowEdge> edges = new ArrayList<>();
        for (JsonNode p : ref.path("pairs")) {
            int from = p.path("from").asInt();
            int to = p.path("to").asInt();
            edges.add(new DataFlowEdge(from, to, List.of("Relu"), to - from > 1));
        }
        return new OnnxDataAnalyzer.ModelSource(file, proto, NetworkDescription.graph(file.toString(), layers, edges),
                bindings);
    }

    /** A CSV's feature values (row-major, float32) and labels. */
    record Table(float[] values, List<String> labels) {
    }

    static Table table(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> labels = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            for (int c = 0; c < cells.length - 1; c++) {
                values.add((float) Double.parseDouble(cells[c]));
            }
            labels.add(cells[cells.length - 1]);
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new Table(v, labels);
    }
}
