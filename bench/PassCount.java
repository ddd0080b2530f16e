import dev.invariance.linalg.TruncatedSvd;
import dev.invariance.network.ElementType;
import dev.invariance.network.LayerOutline;
import dev.invariance.network.WeightPanels;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Counts the passes the top-k spectrum (k = 10, TruncatedSvd's defaults) makes over each selected layer's stored
 * weights when it reads them as panels, and the bytes of one pass: every tile read is counted, and passes = elements
 * read / elements of the layer (the block products, the first of which also sums ‖W‖_F, and the refinement, which is
 * one pass). Prints one line per layer: name, shape, passes, bytes per pass, seconds. TOLERANCE (default 1e-7, what
 * {@code analyze} asks of a streamed layer) is the relative accuracy of the singular values.
 *
 * <p>Run from the repository root after {@code mvn -B -q package -DskipTests}:
 * {@code java -cp "onnx-bridge/target/onnx-bridge.jar:onnx-bridge/target/lib/*" bench/PassCount.java MODEL.onnx [REGEX [TOLERANCE]]}
 */
public final class PassCount {
    public static void main(String[] args) throws Exception {
        Pattern select = Pattern.compile(args.length > 1 ? args[1] : ".*");
        TruncatedSvd solver = TruncatedSvd.builder().tolerance(args.length > 2 ? Double.parseDouble(args[2]) : 1e-7)
                .build();
        try (OnnxModel model = OnnxModelReader.open(Path.of(args[0]))) {
            for (int i = 0; i < model.outline().layers().size(); i++) {
                LayerOutline o = model.outline().layers().get(i);
                if (!select.matcher(o.name()).find() || !model.hasPanels(i)) {
                    continue;
                }
                AtomicLong elements = new AtomicLong();
                long start = System.nanoTime();
                try (WeightPanels panels = model.panels(i)) {
                    WeightPanels counted = new WeightPanels() {
                        public int storedRows() { return panels.storedRows(); }
                        public int storedColumns() { return panels.storedColumns(); }
                        public boolean isTransposed() { return panels.isTransposed(); }
                        public double getScale() { return panels.getScale(); }
                        public ElementType getElementType() { return panels.getElementType(); }
                        public void read(int row, int rows, int column, int columns, float[] dst, int offset) {
                            elements.addAndGet((long) rows * columns);
                            panels.read(row, rows, column, columns, dst, offset);
                        }
                        public void close() { }
                    };
                    solver.top(counted, 10);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                long size = (long) o.outputWidth() * o.inputWidth();
                int bytes = switch (o.elementType()) { case FLOAT16, BFLOAT16 -> 2; case FLOAT64 -> 8; default -> 4; };
                System.out.printf("%s %dx%d passes %.2f bytes/pass %d seconds %.2f%n", o.name(), o.outputWidth(),
                        o.inputWidth(), (double) elements.get() / size, size * bytes, seconds);
            }
        }
    }
}
