package dev.invariance.onnx.running;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The class of each output column of an ONNX model run on labelled data: column k is class k of this order, as
 * {@code ONNXExternalModel}'s output mapping reads it.
 */
final class ClassOrder {
    private ClassOrder() {
    }

    /**
     * The class order: {@code given} ({@code --classes}) when it is not empty; else the model's own, when its metadata
     * names it ({@code class_names}, which our exports write) and the data's labels are among those names; else the
     * data's distinct labels sorted ({@link #sorted}).
     *
     * @param labels       the data's distinct labels, read only when {@code given} is empty
     * @param modelClasses the model's {@code class_names}, or null when it has none
     * @throws IllegalArgumentException when {@code given} repeats a class
     */
    static List<String> of(List<String> given, Supplier<Set<String>> labels, @Nullable List<String> modelClasses) {
        if (!given.isEmpty()) {
            if (new LinkedHashSet<>(given).size() != given.size()) {
                throw new IllegalArgumentException("the class order " + given + " repeats a class");
            }
            return given;
        }
        Set<String> values = labels.get();
        if (modelClasses != null && new LinkedHashSet<>(modelClasses).size() == modelClasses.size()
                && modelClasses.containsAll(values)) {
            return List.copyOf(modelClasses);
        }
        return sorted(values);
    }

    /** Numeric order when every label parses as a number, else string order. */
    static List<String> sorted(Set<String> labels) {
        List<String> out = new ArrayList<>(labels);
        boolean numeric = true;
        for (String l : out) {
            try {
                Double.parseDouble(l);
            } catch (NumberFormatException e) {
                numeric = false;
                break;
            }
        }
        out.sort(numeric ? Comparator.comparingDouble(Double::parseDouble) : Comparator.naturalOrder());
        return List.copyOf(out);
    }
}
