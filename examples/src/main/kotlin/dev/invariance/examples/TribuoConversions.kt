package dev.invariance.examples

import dev.invariance.analysis.LabelledData
import dev.invariance.network.WeightMatrix
import org.tribuo.Dataset
import org.tribuo.classification.Label

/**
 * This binary data set in the analyzer's neutral form (science.md 2.8): row n of the inputs is x_nᵀ with its columns in
 * the order of the data set's feature ids (the column order of the first weight matrix W_0 of a network trained on
 * it), and y_n = +1 for the label with output id 1 and −1 for the label with output id 0, the convention by which
 * DeepNetTrainer reads a single-output network's logit (index 1 is the positive class).
 *
 * The library has no Dataset → LabelledData bridge yet; this is what a caller has to write today.
 */
fun Dataset<Label>.toLabelledData(): LabelledData {
    val featureIds = featureIDMap
    val labelIds = outputIDInfo
    require(labelIds.size() == 2) { "the SVM comparison needs two classes, found ${labelIds.domain}" }
    val width = featureIds.size()
    val inputs = DoubleArray(size() * width)
    val labels = mapIndexed { row, example ->
        for (feature in example) {
            val column = featureIds.getID(feature.name)
            if (column >= 0) inputs[row * width + column] = feature.value
        }
        if (labelIds.getID(example.output) == 1) 1.0 else -1.0
    }
    return LabelledData(WeightMatrix.fromRowMajor(size(), width, inputs), labels)
}
