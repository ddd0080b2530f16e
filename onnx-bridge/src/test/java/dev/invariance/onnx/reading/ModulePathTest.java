package dev.invariance.onnx.reading;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The module path of a node name: the rule of make_wild_fixtures.py's docstring, on the exporters' name forms. */
class ModulePathTest {

    @ParameterizedTest(name = "{0} -> \"{1}\"")
    @CsvSource(value = {
            "/encoder/layer.0/attention/self/query/MatMul | encoder.layer.0.attention.self.query",
            "StatefulPartitionedCall/model/dense_2/MatMul | model.dense_2",
            "PartitionedCall/StatefulPartitionedCall/model/dense/BiasAdd | model.dense",
            "model/dense_1/MatMul | model.dense_1",
            "/fc1/MatMul_quant | fc1",
            "//fc1/Gemm | fc1",
            "MatMul_12 | ''",
            "/MatMul | ''",
            "StatefulPartitionedCall/MatMul | ''",
            "'' | ''",
            "a//b/Op | a..b"
    }, delimiter = '|')
    void theModuleIsTheNodeNameWithoutWrappersAndOperation(String node, String module) {
        assertEquals(module, ModulePath.of(node));
    }
}
