package dev.invariance.training.internal;

import dev.invariance.network.LayerStructure;
import dev.invariance.training.Initialization;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The initial weights of an {@link Architecture}, row-major d_out × d_in per layer, for every trainer of the engine.
 * <ul>
 *   <li>Dense networks: {@link Initialization#initialWeights}, or {@link Initialization#alignedWeights} from the
 *       training data for {@link Initialization#ALIGNED}.</li>
 *   <li>Structured hidden layers ({@link Architecture#structure(int)}) are drawn as their parameters, scaled like
 *       LeCun's variance scale²/fan_in for the fan-in of each output unit: {@code GAUSSIAN} draws a diagonal's
 *       w_j ~ N(0, scale²) (each output reads one input) and a circulant's c_k ~ N(0, scale²/d) (each output reads
 *       all d inputs, exactly the variance of a LeCun dense layer's output); {@code IDENTITY} and
 *       {@code CONSTANT_DIAGONAL} set w = scale·1 and c = scale·e_0 (both W = scale·I, without noise); a structured
 *       output layer ({@link Architecture#structuredOutput()}) is drawn the same way, except that
 *       {@code CONSTANT_DIAGONAL} starts it at zero. A dense output layer gets the scheme's dense rule (zero for
 *       {@code CONSTANT_DIAGONAL}). The other schemes relate several layers' bases and are refused for structured
 *       layers.</li>
 * </ul>
 *
 * <p><b>Engine internals, not supported API</b> (docs/guide.md, "Public API"): public only because the trainers in
 * {@code deepnet} call it across packages.
 */
public final class InitialWeights {
    private InitialWeights() {
    }

    /**
     * Draws the initial weights.
     *
     * @param scheme   the initialisation
     * @param arch     the architecture, with its structure
     * @param scale    the scheme's scale
     * @param rng      the only source of randomness
     * @param features N × d_0 training inputs, row-major (read by {@link Initialization#ALIGNED} only)
     * @param targets  gives the N × d_L target vectors, row-major; called by {@link Initialization#ALIGNED} only
     * @throws IllegalArgumentException for a scheme other than GAUSSIAN, IDENTITY or CONSTANT_DIAGONAL with
     *                                  structured layers, and for CONSTANT_DIAGONAL with a hidden layer that is not
     *                                  square
     */
    public static double[][] draw(Initialization scheme, Architecture arch, double scale, SplittableRandom rng,
                                  double[] features, Supplier<double[]> targets) {
        int[] widths = arch.widths().stream().mapToInt(Integer::intValue).toArray();
        LayerStructure structure = arch.structure();
        if (structure == LayerStructure.DENSE) {
            return scheme == Initialization.ALIGNED
                    ? Initialization.alignedWeights(widths, scale, features, targets.get(), rng)
                    : scheme.initialWeights(widths, scale, rng);
        }
        if (!initialisesStructure(scheme)) {
            throw new IllegalArgumentException(structureRefusal(structure, scheme));
        }
        int depth = arch.depth();
        double[][] weights = new double[depth][];
        for (int i = 0; i < depth; i++) {
            if (arch.structure(i) == LayerStructure.DENSE) {
                // the dense output layer
                weights[i] = scheme.initialWeights(new int[] {widths[i], widths[i + 1]}, scale, rng)[0];
                continue;
            }
            int d = widths[i];
            double[] parameters = new double[structure.parameterCount(d)];
            if (scheme == Initialization.CONSTANT_DIAGONAL && i == depth - 1) {
                // a structured output layer starts at zero, as the dense one does under this scheme
            } else if (scheme == Initialization.GAUSSIAN) {
                double std = structure == LayerStructure.DIAGONAL ? scale : scale / Math.sqrt(d);
                for (int p = 0; p < parameters.length; p++) {
                    parameters[p] = std * rng.nextGaussian();
                }
            } else if (structure == LayerStructure.DIAGONAL) {
                Arrays.fill(parameters, scale);
            } else {
                parameters[0] = scale;
            }
            weights[i] = StructureMap.expand(structure, parameters, d);
        }
        return weights;
    }

    /** Whether {@code scheme} can initialise structured (diagonal or circulant) hidden layers. */
    public static boolean initialisesStructure(Initialization scheme) {
        return scheme == Initialization.GAUSSIAN || scheme == Initialization.IDENTITY
                || scheme == Initialization.CONSTANT_DIAGONAL;
    }

    /** The one-line refusal of {@code scheme} for hidden layers of {@code structure}. */
    public static String structureRefusal(LayerStructure structure, Initialization scheme) {
        return "structure " + structure.getConfigName() + " is initialised with gaussian, identity or"
                + " constant-diagonal, not " + scheme.getConfigName();
    }

    /**
     * The loss's target vectors y_n of a training set, N × width row-major ({@link TrainingTargets#target}): ±1
     * (class 1 is +1) for two classes with one output, one-hot for k classes, the real values for regression.
     */
    public static double[] targetVectors(TrainingTargets targets) {
        int width = targets.outputWidth();
        double[] y = new double[targets.size() * width];
        for (int e = 0; e < targets.size(); e++) {
            for (int j = 0; j < width; j++) {
                y[e * width + j] = targets.target(e, j);
            }
        }
        return y;
    }
}
