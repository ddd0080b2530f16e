package dev.invariance.evaluation;

import dev.invariance.analysis.LayerMetrics;
import dev.invariance.network.ElementType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.invariance.evaluation.InvarianceMetrics.*;

/**
 * The line under each table of {@link EvaluationTable} that says what its abbreviated column headers hold (science.md
 * 2.1–2.10), W being d_out × d_in with singular values σ₁ ≥ σ₂ ≥ … and leading singular vectors u₁, v₁.
 */
final class TableLegend {
    /** The header of the ReLU table's column that holds the rank-1 ratio of the stably active submatrix. */
    static final String STABLE_RANK1 = "rank-1 on S";
    /** The line under a table in which a cell is NaN. */
    static final String UNDEFINED = "NaN undefined: the ratios of an all-zero matrix";

    private TableLegend() {
    }

    /**
     * The layer table's line; the numerical rank's ε is named for each element type of {@code layers} (the
     * tolerance follows the stored type: 2⁻¹⁰ for float16, 2⁻⁷ for bfloat16, 2⁻²³ for float32, 2⁻⁵² for float64).
     */
    static String layers(List<LayerMetrics> layers) {
        List<String> epsilons = new ArrayList<>();
        for (ElementType t : ElementType.values()) {
            if (layers.stream().anyMatch(l -> l.elementType() == t)) {
                epsilons.add(power(t.getMachineEpsilon()) + " (" + t.name().toLowerCase(Locale.ROOT) + ")");
            }
        }
        return SPECTRAL_NORM.getDisplayName() + " = σ₁, " + FROBENIUS_NORM.getDisplayName() + " = ‖W‖_F, "
                + RANK1_RATIO.getDisplayName() + " = σ₁/‖W‖_F, " + STABLE_RANK.getDisplayName() + " = ‖W‖_F²/σ₁², "
                + EFFECTIVE_RANK.getDisplayName() + " = exp(entropy of σ/Σσ), " + NUMERICAL_RANK.getDisplayName()
                + " = #{σ > σ₁·max(d_out, d_in)·ε} with ε = " + String.join(", ", epsilons) + ", "
                + SIGMA2_OVER_SIGMA1.getDisplayName() + " = σ₂/σ₁";
    }

    /** The pair table's line. */
    static String pairs() {
        return TOP_ALIGNMENT.getDisplayName() + " = |v₁(to)ᵀu₁(from)|, " + WEIGHTED_ALIGNMENT.getDisplayName()
                + " = ‖W_to·W_from‖₂/(σ₁(to)·σ₁(from)), " + COMMUTATOR_ALIGNMENT.getDisplayName()
                + " = 1 − ‖AB − BA‖_F/(√2·‖A‖_F·‖B‖_F) with A = W_from·W_fromᵀ, B = W_toᵀ·W_to, "
                + BALANCEDNESS.getDisplayName() + " = ‖B − A‖_F";
    }

    /** The ReLU table's line. */
    static String activations() {
        return STABLY_ACTIVE.getDisplayName() + " / " + STABLY_DEAD.getDisplayName()
                + " = units positive / not positive on every example, " + UNSTABLE.getDisplayName() + " = the others, "
                + STABLE_RANK1 + " = σ₁/‖W‖_F of W's stably active rows S and stable input columns (n/a: no such"
                + " submatrix)";
    }

    /** 2 to a negative integer power, written with superscripts (2⁻²³). */
    private static String power(double v) {
        String digits = Integer.toString(Math.getExponent(v));
        StringBuilder sb = new StringBuilder("2");
        for (char c : digits.toCharArray()) {
            sb.append(c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(c - '0'));
        }
        return sb.toString();
    }
}
