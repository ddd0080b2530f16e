package dev.invariance.cli;

import dev.invariance.analysis.LayerSelection;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --layers PATTERN} (a picocli mixin of {@code analyze} and {@code report}): the layers analysed. */
final class LayerPatternOption {
    @Option(names = "--layers", paramLabel = "PATTERN", description = "Analyse only the layers whose name or module "
            + "path contains a match of this Java regular expression; edges are kept between selected layers only "
            + "(weights alone: not with --data).")
    private @Nullable String layers;

    /** The checked selection ({@link AnalysisArguments#layerSelection}), or null (every layer) without a pattern. */
    @Nullable LayerSelection selection(CommandSpec spec, @Nullable Path data) {
        return AnalysisArguments.layerSelection(spec, layers, data);
    }
}
