package dev.invariance.deepnet;

import dev.invariance.training.LossFunction;
import dev.invariance.training.OptimizerKind;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * {@link DeepNetModel#meanLoss}: the full training-set loss the command line prints for every optimiser (issue 10:
 * SGD and Adam printed the last minibatch's loss as "final loss").
 */
class MeanLossTest {
    /** Logistic loss is the cross-entropy of the model's own probabilities: an independent path (predict). */
    @Test
    void adamTrainedModelsMeanLossIsTheCrossEntropyOfItsPredictions() {
        MutableDataset<Label> data = DeepNetTrainerTest.separableMultiClass(60, 4, 3, 5);
        DeepNetModel model = DeepNetTrainer.builder().hidden(6).optimizer(OptimizerKind.ADAM).batchSize(7)
                .learningRate(0.01).epochs(3).build().train(data);
        double crossEntropy = 0;
        for (Prediction<Label> p : model.predict(data)) {
            crossEntropy -= Math.log(p.getOutputScores().get(p.getExample().getOutput().getLabel()).getScore());
        }
        crossEntropy /= data.size();
        double meanLoss = model.meanLoss(data);
        assertEquals(crossEntropy, meanLoss, 1e-12 * crossEntropy);
        assertNotEquals(model.getLossCurve().finalLoss(), meanLoss, "the curve ends with the last minibatch's loss");
    }

    /** Full-batch GD records the loss at the final weights: the same figure up to summation order. */
    @Test
    void forGradientDescentItIsTheLastPointOfTheLossCurve() {
        MutableDataset<Label> data = DeepNetTrainerTest.separable(40, 5, 3);
        DeepNetModel model = DeepNetTrainer.builder().hidden(4).loss(LossFunction.EXPONENTIAL).steps(200).build()
                .train(data);
        assertEquals(model.getLossCurve().finalLoss(), model.meanLoss(data), 1e-12 * model.getLossCurve().finalLoss());
    }
}
