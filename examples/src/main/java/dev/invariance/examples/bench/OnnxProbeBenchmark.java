package dev.invariance.examples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.invariance.analysis.LayerActivation;
import dev.invariance.data.CsvExampleReader;
import dev.invariance.onnx.running.internal.ActivationProbe;
import dev.invariance.onnx.running.ExecutionDevice;
import dev.invariance.onnx.reading.OnnxModel;
import dev.invariance.onnx.reading.OnnxModelReader;
import dev.invariance.onnx.running.internal.OrtSessions;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Workload B6 of the shared benchmark README: the ONNX Runtime activation probe on {@code b6_mlp.onnx}
 * (784-512-512-10 ReLU, Gemm with bias) over {@code b6_data.csv} (20000 examples), every hidden activation pattern,
 * against plain ONNX Runtime inference of the same model on the same batches in the same process.
 * <p>
 * Both runs feed the same pre-parsed float32 batches (so CSV parsing, identical for both, does not hide the probe's
 * overhead) to a session with the same options; plain inference requests the model's output, the probe requests
 * the output and both hidden pre-activations and updates the per-unit statistics. Median of several passes each,
 * alternating. Memory: the probe streaming straight from the CSV file (parsing included) for a growing number of
 * examples, with the live heap (after a full collection) at the end of each run while the probe is still open. Prints one JSON object. Usage:
 * {@code OnnxProbeBenchmark [DIR] [--repeats N] [--batch N] [--device cpu|cuda|auto]} (DIR defaults to
 * {@code ../bench-data}).
 */
public final class OnnxProbeBenchmark {
    private OnnxProbeBenchmark() {
    }

    /** Runs B6 and prints the JSON line. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of("../bench-data");
        int repeats = 5;
        int batch = 1024;
        ExecutionDevice device = ExecutionDevice.cpu();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--device" -> device = ExecutionDevice.parse(args[++i]);
                default -> dir = Path.of(args[i]);
            }
        }
        Path modelFile = dir.resolve("b6_mlp.onnx");
        Path data = dir.resolve("b6_data.csv");
        if (!Files.isRegularFile(modelFile) || !Files.isRegularFile(data)) {
            System.err.println("B6: " + modelFile + " or " + data + " missing; run /usr/bin/python3 "
                    + "../shared/bench/onnx_models.py B6 " + dir);
            System.exit(2);
        }
        OnnxModel model = OnnxModelReader.open(modelFile);
        List<ActivationProbe.Point> points = List.of(
                new ActivationProbe.Point(0, "fc0.weight", "z0", 512),
                new ActivationProbe.Point(1, "fc1.weight", "z1", 512));
        OrtEnvironment env = OrtSessions.environment();

        // the data once, as float32 batches
        List<FloatBuffer> batches = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        try (CsvExampleReader reader = CsvExampleReader.open(data, "label")) {
            while (true) {
                FloatBuffer b = ByteBuffer.allocateDirect(batch * 784 * Float.BYTES).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                int n = reader.read(b, batch, new ArrayList<>(), null);
                if (n == 0) {
                    break;
                }
                b.flip();
                batches.add(b);
                rows.add(n);
            }
        }
        int examples = rows.stream().mapToInt(Integer::intValue).sum();

        double[] plain = new double[repeats];
        double[] probed = new double[repeats];
        List<LayerActivation> activations;
        String provider;
        try (OrtSessions.Opened session = OrtSessions.open(env, model, List.of(), device, false, System.err::println);
             ActivationProbe probe = ActivationProbe.open(env, model, null, points, device, false,
                     System.err::println)) {
            provider = probe.getProvider();
            plainPass(env, session.session(), batches, rows); // warm-up
            probePass(probe, batches, rows);
            for (int r = 0; r < repeats; r++) {
                plain[r] = examples / plainPass(env, session.session(), batches, rows);
                probed[r] = examples / probePass(probe, batches, rows);
            }
            activations = probe.activations();
        }
        double plainMedian = median(plain);
        double probeMedian = median(probed);

        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        ObjectNode b6 = out.putObject("B6");
        b6.put("examples", examples);
        b6.put("batch", batch);
        b6.put("provider", provider);
        b6.put("onnxruntime_version", env.getVersion());
        b6.put("examples_per_s", Math.round(probeMedian));
        b6.put("plain_examples_per_s", Math.round(plainMedian));
        b6.put("ratio", Math.round(probeMedian / plainMedian * 1000) / 1000.0);
        // each probe pass right after its plain pass: the ratio within a pair is less exposed to the machine's load
        double[] pairs = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            pairs[r] = probed[r] / plain[r];
        }
        b6.put("ratio_median_of_pairs", Math.round(median(pairs) * 1000) / 1000.0);
        b6.put("probe_runs", Arrays.toString(round(probed)));
        b6.put("plain_runs", Arrays.toString(round(plain)));
        ObjectNode acts = b6.putObject("activations");
        for (LayerActivation a : activations) {
            acts.put(a.name(), a.stablyActive().size() + " active / " + a.stablyDead().size() + " dead / "
                    + a.unstableCount() + " unstable");
        }
        // memory: streaming from the CSV file for a growing number of examples
        batches.clear();
        ObjectNode memory = b6.putObject("streaming_live_heap_mb");
        for (int limit : new int[] {2_000, 10_000, 20_000}) {
            memory.put(Integer.toString(limit), Math.round(streamingLiveHeap(env, model, points, device, data,
                    batch, limit) * 10) / 10.0);
        }
        System.out.println(out);
    }

    /** Seconds for one pass of plain inference (the model's output only). */
    private static double plainPass(OrtEnvironment env, OrtSession session, List<FloatBuffer> batches,
                                    List<Integer> rows) throws OrtException {
        String input = session.getInputNames().iterator().next();
        Set<String> outputs = session.getOutputNames();
        double sink = 0;
        long start = System.nanoTime();
        for (int i = 0; i < batches.size(); i++) {
            int n = rows.get(i);
            try (OnnxTensor x = OnnxTensor.createTensor(env, batches.get(i).duplicate().limit(n * 784).slice(),
                    new long[] {n, 784});
                 OrtSession.Result r = session.run(Map.of(input, x), outputs)) {
                sink += ((OnnxTensor) r.get(0)).getFloatBuffer().get(0);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (Double.isNaN(sink)) {
            System.err.println("NaN output");
        }
        return seconds;
    }

    /** Seconds for one pass of the probe (output and both hidden values, statistics updated). */
    private static double probePass(ActivationProbe probe, List<FloatBuffer> batches, List<Integer> rows) {
        double[] sink = new double[1];
        long start = System.nanoTime();
        for (int i = 0; i < batches.size(); i++) {
            probe.runBatch(batches.get(i).duplicate(), rows.get(i),
                    (outputs, n) -> sink[0] += ((OnnxTensor) outputs.get(0)).getFloatBuffer().get(0));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (Double.isNaN(sink[0])) {
            System.err.println("NaN output");
        }
        return seconds;
    }

    /**
     * Live heap (MB, after a full collection) while the probe, having streamed the first {@code limit} examples of
     * the CSV file, is still open: what the probe retains, which must not grow with the examples.
     */
    private static double streamingLiveHeap(OrtEnvironment env, OnnxModel model,
                                            List<ActivationProbe.Point> points, ExecutionDevice device, Path data,
                                            int batch, int limit) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(batch * 784 * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        try (ActivationProbe probe = ActivationProbe.open(env, model, null, points, device, false, s -> { });
             CsvExampleReader reader = CsvExampleReader.open(data, "label")) {
            int done = 0;
            List<String> labels = new ArrayList<>();
            while (done < limit) {
                buffer.clear();
                labels.clear();
                int n = reader.read(buffer, Math.min(batch, limit - done), labels, null);
                if (n == 0) {
                    break;
                }
                buffer.flip();
                probe.runBatch(buffer, n, null);
                done += n;
            }
            System.gc();
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long[] round(double[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.round(v[i]);
        }
        return r;
    }
}
