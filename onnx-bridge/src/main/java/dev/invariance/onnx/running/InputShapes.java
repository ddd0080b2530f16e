package dev.invariance.onnx.running;

import dev.invariance.onnx.running.internal.ModelInput;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the shape of one example of the fed input is fixed: from {@code --input-shape} (checked against the model's
 * declaration), from the declaration when it fixes every axis but the batch axis, or, for what it leaves dynamic,
 * from the data (the CSV's column count when one size is left open, a {@code .npy} file's shape). Every shape is
 * bounded by {@link ModelInput#MAX_EXAMPLE_VALUES} before anything of its size is allocated.
 */
final class InputShapes {
    /** The origin of a shape the model declares. */
    static final String DECLARED = "as the model declares it";

    private InputShapes() {
    }

    /**
     * The shape {@code --input-shape} gives the fed input, or null when it gives none.
     *
     * @throws InvalidOptionsException for a shape of an input the model does not have or does not feed from the data,
     *                                 a rank other than the declared one, a size other than a fixed declared one, or
     *                                 more than {@link ModelInput#MAX_EXAMPLE_VALUES} values per example
     */
    static @Nullable ExampleShape given(ModelInput input, Map<String, List<Long>> shapes) {
        for (String name : shapes.keySet()) {
            if (!input.inputs().contains(name)) {
                throw new InvalidOptionsException("--input-shape: the model has no input '" + name + "' (inputs: "
                        + String.join(", ", input.inputs()) + ")");
            }
            if (!name.equals(input.name())) {
                throw new InvalidOptionsException("--input-shape: input '" + name + "' is not the one fed from the data ('"
                        + input.name() + "'; choose it with --input)");
            }
        }
        List<Long> dims = shapes.get(input.name());
        if (dims == null) {
            return null;
        }
        String option = "--input-shape " + input.name() + "=" + join(dims);
        if (input.rank() >= 0 && dims.size() != input.rank()) {
            throw new InvalidOptionsException(option + ": input '" + input.name() + "' has " + input.rank()
                    + " axes, " + input.describe());
        }
        for (int a = 1; a < dims.size(); a++) {
            long fixed = input.size(a);
            if (fixed > 0 && fixed != dims.get(a)) {
                throw new InvalidOptionsException(option + ": axis " + a + " of input '" + input.name()
                        + "' is fixed at " + fixed + ", " + input.describe());
            }
        }
        long[] example = new long[dims.size() - 1];
        for (int a = 1; a < dims.size(); a++) {
            example[a - 1] = dims.get(a);
        }
        if (ModelInput.product(example) > ModelInput.MAX_EXAMPLE_VALUES) {
            throw new InvalidOptionsException(option + ": more than " + ModelInput.MAX_EXAMPLE_VALUES
                    + " values per example");
        }
        return ExampleShape.of(example, "from --input-shape");
    }

    /** The shape the model declares, when it fixes every axis but the batch axis (within the bound), else null. */
    static @Nullable ExampleShape declared(ModelInput input) {
        long[] fixed = input.fixedExampleShape();
        return fixed == null || ModelInput.product(fixed) > ModelInput.MAX_EXAMPLE_VALUES ? null
                : ExampleShape.of(fixed, DECLARED);
    }

    /**
     * The declared shape with its one dynamic size behind the batch axis set so that an example holds {@code values}
     * values, or null when the model declares no shape, leaves another number of sizes open, or the values do not
     * divide into it.
     */
    static @Nullable ExampleShape withOneOpenSize(ModelInput input, long values, String origin) {
        if (input.rank() < 0) {
            return null;
        }
        long[] example = new long[input.rank() - 1];
        int open = -1;
        long fixed = 1;
        for (int a = 1; a < input.rank(); a++) {
            example[a - 1] = input.size(a);
            if (example[a - 1] < 0) {
                if (open >= 0) {
                    return null;
                }
                open = a - 1;
            } else {
                fixed = Math.multiplyExact(fixed, Math.min(example[a - 1], ModelInput.MAX_EXAMPLE_VALUES + 1));
                if (fixed > ModelInput.MAX_EXAMPLE_VALUES) {
                    return null;
                }
            }
        }
        if (open < 0 || values < 1 || values % fixed != 0 || values > ModelInput.MAX_EXAMPLE_VALUES) {
            return null;
        }
        example[open] = values / fixed;
        return ExampleShape.of(example, origin);
    }

    /**
     * The declared shape with its dynamic sizes taken from an example's {@code file} shape (with or without the batch
     * axis of 1), or null when the model declares no shape, or the file's rank or a fixed size differs.
     */
    static @Nullable ExampleShape fromFile(ModelInput input, List<Long> file, String origin) {
        if (input.rank() < 0) {
            return null;
        }
        List<Long> example = file.size() == input.rank() && file.get(0) == 1 ? file.subList(1, file.size()) : file;
        if (example.size() != input.rank() - 1) {
            return null;
        }
        long[] dims = new long[example.size()];
        for (int a = 0; a < dims.length; a++) {
            long declared = input.size(a + 1);
            dims[a] = example.get(a);
            if (dims[a] < 1 || (declared > 0 && declared != dims[a])) {
                return null;
            }
        }
        return ModelInput.product(dims) > ModelInput.MAX_EXAMPLE_VALUES ? null : ExampleShape.of(dims, origin);
    }

    /** The dynamic sizes of the input's declaration, for messages: {@code H, W}. */
    static String openSizes(ModelInput input) {
        List<String> open = new ArrayList<>();
        List<String> dims = input.dims();
        if (dims == null) {
            return "every size";
        }
        for (int a = 1; a < dims.size(); a++) {
            if (input.size(a) < 0) {
                open.add(dims.get(a));
            }
        }
        return String.join(", ", open);
    }

    /** How to write the option for this input, its dynamic sizes by name: {@code image=1x3xHxW}. */
    static String example(ModelInput input) {
        List<String> dims = input.dims();
        if (dims == null) {
            return input.name() + "=1x...";
        }
        return input.name() + "=1x" + String.join("x", dims.subList(1, dims.size()));
    }

    private static String join(List<Long> dims) {
        StringBuilder sb = new StringBuilder();
        for (long d : dims) {
            sb.append(sb.length() == 0 ? "" : "x").append(d);
        }
        return sb.toString();
    }
}
