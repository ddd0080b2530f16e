package dev.invariance.evaluation;

import dev.invariance.data.SeparableDataSource;
import dev.invariance.deepnet.DeepNetModel;
import dev.invariance.deepnet.DeepNetTrainer;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** All-zero layers (init scale 0, no steps) print 0.000 and 0.0, never a negative zero (issue 10). */
class NegativeZeroTest {
    @Test
    void allZeroLayersShowNoNegativeZero() {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(20, 4, 0.0, 1L));
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).initScale(0.0).steps(0).build().train(data);
        InvarianceEvaluation e = InvarianceEvaluator.create().evaluate(model, data);
        String table = e.toString();
        String json = EvaluationJson.write(e, "zero.tribuo");
        assertTrue(table.contains("0.000"), table);
        assertFalse(table.matches("(?s).*-0\\.0+(?![0-9]*[1-9]).*"), table);
        assertFalse(json.matches("(?s).*-0\\.0(?![0-9]*[1-9]).*"), json);
        assertFalse(table.contains("Data: DataSource"), table);
    }

    @Test
    void weightsOnlyAnalysisSaysThereIsNoData() {
        MutableDataset<Label> data = new MutableDataset<>(new SeparableDataSource(20, 4, 0.0, 1L));
        DeepNetModel model = DeepNetTrainer.builder().hidden(3).steps(1).build().train(data);
        String table = InvarianceEvaluator.create().evaluate(model).toString();
        assertTrue(table.contains("Data: none (weights only)"), table);
    }
}
