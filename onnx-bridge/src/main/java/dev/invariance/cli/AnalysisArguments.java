package dev.invariance.cli;

import dev.invariance.analysis.LayerSelection;
import dev.invariance.analysis.SpectrumMode;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;

/** The checks of the analysis options that {@code analyze} and {@code report} share. */
final class AnalysisArguments {
    private AnalysisArguments() {
    }

    /**
     * Checks that {@code --data} and {@code --label} come together and {@code --top-k} is positive, and reads
     * {@code --spectrum}.
     *
     * @throws ParameterException naming the option, for picocli's one-line usage error
     */
    static SpectrumMode spectrumMode(CommandSpec spec, @Nullable Path data, @Nullable String label, int topK,
                                     String spectrum) {
        if ((data == null) != (label == null)) {
            throw new ParameterException(spec.commandLine(), "give --data and --label together");
        }
        if (topK < 1) {
            throw new ParameterException(spec.commandLine(), "--top-k must be at least 1");
        }
        try {
            return SpectrumMode.fromId(spectrum);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--spectrum: " + e.getMessage());
        }
    }

    /**
     * The {@code --layers} selection, or null without the option: refused in one line (exit 2) when the pattern is
     * not a valid Java regular expression, is longer than {@link LayerSelection#MAX_PATTERN_LENGTH}, or comes with
     * {@code --data} (the data's figures cover the whole network). Whether it selects anything is known once the
     * model is read ({@link ModelEvaluations}).
     *
     * @throws ParameterException naming the option and the pattern
     */
    static @Nullable LayerSelection layerSelection(CommandSpec spec, @Nullable String pattern, @Nullable Path data) {
        if (pattern == null) {
            return null;
        }
        if (data != null) {
            throw new ParameterException(spec.commandLine(), "--layers selects layers for the analysis of the weights "
                    + "alone; it does not apply with --data");
        }
        try {
            return LayerSelection.matching(pattern);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--layers: " + e.getMessage());
        }
    }
}
