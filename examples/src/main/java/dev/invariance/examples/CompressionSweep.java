package dev.invariance.examples;

import dev.invariance.compression.RankChoice;
import dev.invariance.onnx.reading.OnnxCompression;
import dev.invariance.onnx.reading.OnnxCompressor;
import dev.invariance.onnx.running.LabelledRun;
import dev.invariance.onnx.running.OnnxDataOptions;
import dev.invariance.report.Figure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The size/accuracy trade-off of docs/compression.md: an ONNX model compressed at each of several ranks (every dense
 * layer at rank r, {@link OnnxCompressor#write(Path, RankChoice)}), each compressed model run on labelled data by ONNX
 * Runtime ({@link LabelledRun}) beside the original; prints a Markdown table (rank, parameters, multiply-adds,
 * accuracy, agreement) and writes the figure of accuracy and agreement against the rank as PNG and SVG.
 * <pre>
 * java -cp "examples/target/classes:onnx-bridge/target/onnx-bridge.jar:onnx-bridge/target/lib/*" \
 *     dev.invariance.examples.CompressionSweep MODEL.onnx DATA.csv LABEL FIGURE_ID OUT_DIR RANK[,RANK...]
 * </pre>
 */
public final class CompressionSweep {
    private CompressionSweep() {
    }

    /** One compressed model's figures. */
    record Row(int rank, OnnxCompression compression, double accuracy, double agreement) {
    }

    /** Runs the sweep; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        if (args.length != 6) {
            System.err.println("usage: CompressionSweep MODEL.onnx DATA.csv LABEL FIGURE_ID OUT_DIR RANK[,RANK...]");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        Path data = Path.of(args[1]);
        String label = args[2];
        List<Integer> ranks = Arrays.stream(args[5].split(",")).map(String::trim).map(Integer::valueOf).toList();
        LabelledRun original = run(model, data, label);
        Path work = Files.createTempDirectory("compression-sweep");
        List<Row> rows = new ArrayList<>();
        try {
            for (int r : ranks) {
                Path small = work.resolve("rank-" + r + ".onnx");
                OnnxCompression c;
                try (OnnxCompressor compressor = OnnxCompressor.open(model, null)) {
                    c = compressor.write(small, RankChoice.fixedRank(r));
                }
                LabelledRun run = run(small, data, label);
                rows.add(new Row(r, c, run.accuracy(), run.agreement(original)));
                Files.deleteIfExists(small);
                Files.deleteIfExists(small.resolveSibling(small.getFileName() + ".data"));
            }
        } finally {
            Files.deleteIfExists(work);
        }
        System.out.print(table(original, rows));
        Figure f = figure(args[3], model.getFileName().toString(), original, rows);
        for (Path p : f.writeTo(Path.of(args[4]))) {
            System.out.println("wrote " + p);
        }
    }

    private static LabelledRun run(Path model, Path data, String label) {
        return LabelledRun.of(model, data, label, OnnxDataOptions.defaults(), note -> { });
    }

    static String table(LabelledRun original, List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| rank | parameters | multiply-adds / example | layers factored | accuracy | agreement |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|\n");
        if (!rows.isEmpty()) {
            OnnxCompression any = rows.get(0).compression();
            sb.append(String.format(Locale.ROOT, "| original | %,d | %,d | 0 | %.4f | 1 |%n", any.parametersBefore(),
                    any.multiplyAddsBefore(), original.accuracy()));
        }
        for (Row r : rows) {
            OnnxCompression c = r.compression();
            long factored = c.layers().stream().filter(l -> l.factored()).count();
            sb.append(String.format(Locale.ROOT, "| %d | %,d (%.3f) | %,d (%.3f) | %d of %d | %.4f | %.4f |%n",
                    r.rank(), c.parametersAfter(), (double) c.parametersAfter() / c.parametersBefore(),
                    c.multiplyAddsAfter(), (double) c.multiplyAddsAfter() / c.multiplyAddsBefore(), factored,
                    c.layers().size(), r.accuracy(), r.agreement()));
        }
        return sb.toString();
    }

    static Figure figure(String id, String modelName, LabelledRun original, List<Row> rows) {
        List<Double> x = rows.stream().map(r -> (double) r.rank()).toList();
        return Figure.builder("Compressing " + modelName + ": accuracy against the rank").id(id)
                .xAxis("rank r of every factored layer").yAxis("on the test data").logX(true)
                .series("accuracy of the compressed model", x, rows.stream().map(Row::accuracy).toList())
                .series("agreement with the original", x, rows.stream().map(Row::agreement).toList())
                .series("accuracy of the original", x, Collections.nCopies(x.size(), original.accuracy()))
                .caption("every dense layer factored at rank r where that saves parameters (else kept); both models"
                        + " run by ONNX Runtime on the same data")
                .build();
    }
}
