package dev.invariance.cli;

import dev.invariance.compression.CompressedLayer;
import dev.invariance.onnx.reading.OnnxCompression;
import dev.invariance.onnx.running.AccuracyBudgetCompression;
import dev.invariance.onnx.running.LabelledRun;
import dev.invariance.report.CompressionReport;
import org.jspecify.annotations.Nullable;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code compress --report FILE.html}: the compression's figures handed to {@link CompressionReport}, each
 * {@code --max-drop} trial's parameters computed from its ranks (the source's parameters less what each factored
 * layer saves, d_out·d_in − r·(d_out + d_in)).
 */
final class CompressionPage {
    private CompressionPage() {
    }

    static void write(Path file, OnnxCompression c, @Nullable LabelledRun original, @Nullable LabelledRun compressed,
                      List<AccuracyBudgetCompression.Trial> trials) {
        Map<String, CompressedLayer> shapes = new HashMap<>();
        for (CompressedLayer l : c.layers()) {
            shapes.put(l.name(), l);
        }
        List<CompressionReport.Trial> tried = new ArrayList<>();
        for (AccuracyBudgetCompression.Trial t : trials) {
            long parameters = c.parametersBefore();
            for (Map.Entry<String, Integer> e : t.ranks().entrySet()) {
                CompressedLayer l = shapes.get(e.getKey());
                if (l != null && e.getValue() > 0) {
                    parameters -= l.parametersBefore() - (long) e.getValue() * (l.outputWidth() + l.inputWidth());
                }
            }
            String ranks = t.ranks().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .sorted().collect(Collectors.joining(", "));
            tried.add(new CompressionReport.Trial(parameters, t.accuracy(), t.accepted(), ranks));
        }
        CompressionReport.Builder b = CompressionReport.builder(c.source().toString(), c.target().toString(),
                        c.settings()).layers(c.layers())
                .parameters(c.parametersBefore(), c.parametersAfter())
                .fileBytes(c.fileBytesBefore(), c.fileBytesAfter())
                .multiplyAdds(c.multiplyAddsBefore(), c.multiplyAddsAfter())
                .trials(tried);
        if (original != null && compressed != null) {
            b.evaluation(original.evaluation(), compressed.evaluation(), original.agreement(compressed));
        }
        try {
            b.build().writeTo(file);
        } catch (UncheckedIOException e) {
            throw new BadInputException(String.valueOf(e.getMessage()));
        }
    }
}
