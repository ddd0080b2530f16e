package dev.invariance.network;

import org.jspecify.annotations.Nullable;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How the units of an edge's producer (the rows of its W, or the values of a graph input) reach the columns of its
 * consumer's W (d_out × d_in: column j multiplies input value j). Unit-wise mappings say exactly which column reads
 * which unit, so submatrices such as the stably active ones of science.md 2.11 can follow them; a path through an
 * operation that mixes units (a reduction, a contraction, a normalisation, a reshape that is not a flatten of the
 * producer's positions) is {@link NotUnitWise}.
 */
public sealed interface UnitMapping extends Serializable
        permits UnitMapping.Identity, UnitMapping.Window, UnitMapping.Tiled, UnitMapping.Blocked, UnitMapping.NotUnitWise {

    /** Unit j is column j. */
    static UnitMapping identity() {
        return Identity.INSTANCE;
    }

    /**
     * The consumer columns that read the given producer units, in increasing unit order, or null when this mapping is
     * not unit-wise or does not fit the widths.
     *
     * @param units          producer units (0-based, ascending)
     * @param producerWidth  the producer's number of units (d_out of a layer; a graph input's width, or the
     *                       consumer's d_in when the input's width is not known)
     * @param consumerInputs the consumer's d_in
     */
    @Nullable List<Integer> columns(List<Integer> units, int producerWidth, int consumerInputs);

    /** Whether columns follow units one to one (everything but {@link NotUnitWise}). */
    default boolean isUnitWise() {
        return true;
    }

    /** One phrase for reports, for example {@code identity} or {@code columns 8..15 (Concat)}. */
    String describe();

    /**
     * Unit j is column j: the widths match (or, for a hand-built graph whose consumer reads k·d_out values, the
     * producer applied at k positions and flattened with units fastest, as {@link Tiled}).
     */
    record Identity() implements UnitMapping {
        static final Identity INSTANCE = new Identity();

        @Override
        public @Nullable List<Integer> columns(List<Integer> units, int producerWidth, int consumerInputs) {
            if (consumerInputs == producerWidth) {
                return List.copyOf(units);
            }
            if (producerWidth > 0 && consumerInputs % producerWidth == 0) {
                return new Tiled(consumerInputs / producerWidth).columns(units, producerWidth, consumerInputs);
            }
            return null;
        }

        @Override
        public String describe() {
            return "identity";
        }
    }

    /**
     * Units {@code producerStart … producerStart + length − 1} are columns {@code consumerStart …}: a {@code Slice}
     * or {@code Split} of the producer's units, placed at an offset by a {@code Concat}. Other units reach no column.
     *
     * @param producerStart first producer unit that passes
     * @param consumerStart the column it lands in
     * @param length        how many consecutive units pass
     */
    record Window(int producerStart, int consumerStart, int length) implements UnitMapping {
        /** Checks the bounds. */
        public Window {
            if (producerStart < 0 || consumerStart < 0 || length < 0) {
                throw new IllegalArgumentException("unit window " + producerStart + " -> " + consumerStart + " of length "
                        + length + " has a negative bound");
            }
        }

        @Override
        public @Nullable List<Integer> columns(List<Integer> units, int producerWidth, int consumerInputs) {
            if ((long) consumerStart + length > consumerInputs) {
                return null;
            }
            List<Integer> out = new ArrayList<>();
            for (int u : units) {
                if (u >= producerStart && u < (long) producerStart + length) {
                    out.add(consumerStart + (u - producerStart));
                }
            }
            return out;
        }

        @Override
        public String describe() {
            return "units " + producerStart + ".." + (producerStart + length - 1) + " to columns " + consumerStart + ".."
                    + (consumerStart + length - 1);
        }
    }

    /**
     * The producer applied at {@code copies} positions and flattened with units fastest (a {@code MatMul} over
     * {@code [N, k, d]} followed by {@code Flatten}): unit j at position p is column p·d_out + j.
     *
     * @param copies how many positions
     */
    record Tiled(int copies) implements UnitMapping {
        /** Checks the count. */
        public Tiled {
            if (copies < 1) {
                throw new IllegalArgumentException("a tiled unit mapping needs at least one copy, not " + copies);
            }
        }

        @Override
        public @Nullable List<Integer> columns(List<Integer> units, int producerWidth, int consumerInputs) {
            if ((long) copies * producerWidth != consumerInputs) {
                return null;
            }
            List<Integer> out = new ArrayList<>(units.size() * copies);
            for (int p = 0; p < copies; p++) {
                for (int j : units) {
                    out.add(p * producerWidth + j);
                }
            }
            out.sort(null);
            return out;
        }

        @Override
        public String describe() {
            return "units at " + copies + " positions, units fastest";
        }
    }

    /**
     * The producer's units flattened channel-first over {@code block} positions (a {@code Conv} output
     * {@code [N, C, H, W]} flattened): unit j is columns j·block … j·block + block − 1.
     *
     * @param block positions per unit (H·W for a 2-D convolution)
     */
    record Blocked(int block) implements UnitMapping {
        /** Checks the block size. */
        public Blocked {
            if (block < 1) {
                throw new IllegalArgumentException("a blocked unit mapping needs blocks of at least one column, not " + block);
            }
        }

        @Override
        public @Nullable List<Integer> columns(List<Integer> units, int producerWidth, int consumerInputs) {
            if ((long) block * producerWidth != consumerInputs) {
                return null;
            }
            List<Integer> out = new ArrayList<>(units.size() * block);
            for (int j : units) {
                for (int q = 0; q < block; q++) {
                    out.add(j * block + q);
                }
            }
            return out;
        }

        @Override
        public String describe() {
            return "each unit over " + block + " positions, units slowest";
        }
    }

    /**
     * The path mixes units, so no column belongs to one unit.
     *
     * @param reason one phrase naming the operation, for example {@code through ReduceMean}
     */
    record NotUnitWise(String reason) implements UnitMapping {
        /** Checks the reason. */
        public NotUnitWise {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public @Nullable List<Integer> columns(List<Integer> units, int producerWidth, int consumerInputs) {
            return null;
        }

        @Override
        public boolean isUnitWise() {
            return false;
        }

        @Override
        public String describe() {
            return "not unit-wise (" + reason + ")";
        }
    }
}
