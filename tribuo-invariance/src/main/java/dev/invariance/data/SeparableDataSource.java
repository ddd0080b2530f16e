package dev.invariance.data;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.SkeletalConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Example;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.ConfiguredDataSourceProvenance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The linearly separable data of science.md experiment E1: x_n ~ N(0, I_d), a teacher w* ~ N(0, I_d), and label
 * {@code positive} when w*ᵀx_n &gt; 0, {@code negative} otherwise: separable through the origin, so a bias-free
 * network can reach zero training error. Points with |w*ᵀx| / ‖w*‖ below {@code minMargin} are redrawn.
 * Features are named {@code x0 … x(d−1)} (zero-padded when d &gt; 10, so Tribuo's sorted feature ids follow the
 * coordinate order). Configurable, so its provenance re-creates it exactly.
 */
public final class SeparableDataSource implements ConfigurableDataSource<Label> {
    /** The label of points on the positive side of the teacher. */
    public static final String POSITIVE = "positive";
    /** The label of points on the negative side of the teacher. */
    public static final String NEGATIVE = "negative";

    private static final LabelFactory FACTORY = new LabelFactory();

    @Config(description = "Number of examples N.")
    private int numSamples = 40;

    @Config(description = "Dimension d of the inputs.")
    private int dimension = 10;

    @Config(description = "Minimum normalised distance to the teacher's hyperplane.")
    private double minMargin = 0.0;

    @Config(description = "Seed of the teacher and the points.")
    private long seed = 1L;

    private List<Example<Label>> examples = List.of();

    /** For OLCUT. */
    private SeparableDataSource() {
    }

    /**
     * @param numSamples N ≥ 1
     * @param dimension  d ≥ 1
     * @param minMargin  minimum |w*ᵀx| / ‖w*‖ (0 keeps every point)
     * @param seed       the seed
     */
    public SeparableDataSource(int numSamples, int dimension, double minMargin, long seed) {
        this.numSamples = numSamples;
        this.dimension = dimension;
        this.minMargin = minMargin;
        this.seed = seed;
        postConfig();
    }

    /** Generates the examples. */
    @Override
    public void postConfig() {
        if (numSamples < 1 || dimension < 1 || !(minMargin >= 0)) {
            throw new PropertyException("", "numSamples", "need numSamples >= 1, dimension >= 1 and minMargin >= 0");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] teacher = new double[dimension];
        double norm = 0;
        for (int j = 0; j < dimension; j++) {
            teacher[j] = rng.nextGaussian();
            norm += teacher[j] * teacher[j];
        }
        norm = Math.sqrt(norm);
        String[] names = featureNames(dimension);
        List<Example<Label>> out = new ArrayList<>(numSamples);
        while (out.size() < numSamples) {
            double[] x = new double[dimension];
            double dot = 0;
            for (int j = 0; j < dimension; j++) {
                x[j] = rng.nextGaussian();
                dot += teacher[j] * x[j];
            }
            if (Math.abs(dot) / norm < minMargin || dot == 0.0) {
                continue;
            }
            out.add(new ArrayExample<>(new Label(dot > 0 ? POSITIVE : NEGATIVE), names, x));
        }
        examples = Collections.unmodifiableList(out);
    }

    /** A builder: {@code SeparableDataSource.builder().samples(40).dimension(10).seed(0).build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SeparableDataSource}; defaults N = 40, d = 10, no minimum margin, seed 1 (science.md E1). */
    public static final class Builder {
        private int samples = 40;
        private int dimension = 10;
        private double minMargin = 0.0;
        private long seed = 1L;

        private Builder() {
        }

        /** Number of examples N. */
        public Builder samples(int samples) {
            this.samples = samples;
            return this;
        }

        /** Input dimension d. */
        public Builder dimension(int dimension) {
            this.dimension = dimension;
            return this;
        }

        /** Minimum normalised distance to the teacher's hyperplane. */
        public Builder minMargin(double minMargin) {
            this.minMargin = minMargin;
            return this;
        }

        /** The seed of the teacher and the points. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Generates the data. */
        public SeparableDataSource build() {
            return new SeparableDataSource(samples, dimension, minMargin, seed);
        }
    }

    /** Feature names {@code x0 … x(d−1)}, zero-padded to sort in coordinate order. */
    public static String[] featureNames(int dimension) {
        int digits = String.valueOf(Math.max(0, dimension - 1)).length();
        String[] names = new String[dimension];
        for (int j = 0; j < dimension; j++) {
            names[j] = String.format("x%0" + digits + "d", j);
        }
        return names;
    }

    @Override
    public LabelFactory getOutputFactory() {
        return FACTORY;
    }

    @Override
    public Iterator<Example<Label>> iterator() {
        return examples.iterator();
    }

    @Override
    public ConfiguredDataSourceProvenance getProvenance() {
        return new SeparableDataSourceProvenance(this);
    }

    @Override
    public String toString() {
        return "SeparableDataSource(numSamples=" + numSamples + ",dimension=" + dimension + ",minMargin=" + minMargin
                + ",seed=" + seed + ")";
    }

    /** Provenance of a {@link SeparableDataSource}: its configuration, which regenerates the data exactly. */
    public static final class SeparableDataSourceProvenance extends SkeletalConfiguredObjectProvenance
            implements ConfiguredDataSourceProvenance {
        private static final long serialVersionUID = 1L;

        SeparableDataSourceProvenance(SeparableDataSource host) {
            super(host, "DataSource");
        }

        /** Unmarshalling constructor used by OLCUT. */
        public SeparableDataSourceProvenance(Map<String, Provenance> map) {
            super(extract(map));
        }

        private static ExtractedInfo extract(Map<String, Provenance> map) {
            Map<String, Provenance> configured = new HashMap<>(map);
            // OLCUT's checked extraction (as Tribuo's own provenances do): a missing or mistyped entry is a
            // ProvenanceException naming it, not a NullPointerException or ClassCastException
            String className = ObjectProvenance.checkAndExtractProvenance(configured, ObjectProvenance.CLASS_NAME,
                    StringProvenance.class, SeparableDataSourceProvenance.class.getSimpleName()).getValue();
            String hostShortName = ObjectProvenance.checkAndExtractProvenance(configured, HOST_SHORT_NAME,
                    StringProvenance.class, SeparableDataSourceProvenance.class.getSimpleName()).getValue();
            Map<String, PrimitiveProvenance<?>> instance = Collections.emptyMap();
            return new ExtractedInfo(className, hostShortName, configured, instance);
        }
    }
}
