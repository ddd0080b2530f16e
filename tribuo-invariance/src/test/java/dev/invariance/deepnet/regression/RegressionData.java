package dev.invariance.deepnet.regression;

import org.tribuo.MutableDataset;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small regression datasets built in code. */
final class RegressionData {
    private RegressionData() {
    }

    /**
     * n examples of d Gaussian features with the linear targets y = M x for a random k × d matrix M; dimension j is
     * named {@code names[j]} (chosen so that Tribuo's sorted order differs from the order given).
     */
    static MutableDataset<Regressor> linear(int n, int d, String[] names, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int k = names.length;
        double[][] m = new double[k][d];
        for (double[] row : m) {
            for (int c = 0; c < d; c++) {
                row[c] = rng.nextGaussian();
            }
        }
        List<org.tribuo.Example<Regressor>> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] x = new double[d];
            String[] featureNames = new String[d];
            for (int c = 0; c < d; c++) {
                x[c] = rng.nextGaussian();
                featureNames[c] = "x" + c;
            }
            double[] y = new double[k];
            for (int j = 0; j < k; j++) {
                for (int c = 0; c < d; c++) {
                    y[j] += m[j][c] * x[c];
                }
            }
            examples.add(new ArrayExample<>(new Regressor(names, y), featureNames, x));
        }
        return dataset(examples);
    }

    /** The examples as a dataset (not re-creatable from provenance). */
    static MutableDataset<Regressor> dataset(List<org.tribuo.Example<Regressor>> examples) {
        RegressionFactory factory = new RegressionFactory();
        return new MutableDataset<>(new ListDataSource<>(examples, factory,
                new SimpleDataSourceProvenance("regression test data", factory)));
    }
}
