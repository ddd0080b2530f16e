package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.invariance.analysis.LayerSelection;
import dev.invariance.compression.CompressedLayer;
import dev.invariance.compression.LowRankFactors;
import dev.invariance.compression.RankChoice;
import dev.invariance.compression.TruncationSpectrum;
import dev.invariance.network.ElementType;
import dev.invariance.network.WeightPanels;
import org.jspecify.annotations.Nullable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Low-rank compression of an ONNX model, from a path to a path: each selected dense layer W (d_out × d_in) of the main
 * graph becomes two layers {@code W ≈ (U_r Σ_r^{1/2})(Σ_r^{1/2} V_rᵀ)} in the operator the model used
 * ({@link FactoredLayer}: MatMul, Gemm, Conv with group 1, and QDQ {@code DequantizeLinear → MatMul} re-quantised per
 * channel), when the rank saves parameters ({@link RankChoice}); everything else in the graph is left as it was.
 * <pre>{@code
 * OnnxCompression c = OnnxCompressor.compress(Path.of("model.onnx"), Path.of("small.onnx"), RankChoice.energy(0.99));
 * }</pre>
 * or, to choose ranks per layer ({@code --max-drop}), {@link #open}, {@link #ranksFor}, {@link #write}. Singular
 * values come from LAPACK for layers read into memory, and from top-k block Lanczos on the stored panels for float32,
 * float16, bfloat16 and int8 layers ({@link TruncationSpectrum}): a layer is never copied whole onto the heap to be
 * factored at a fixed rank or a share of its energy. The output is written by {@link CompressedOnnxWriter}: external
 * data stays external, metadata records the source's SHA-256, the settings and each layer's rank and σ_{r+1}.
 * <p>
 * Not rewritten (the layer is kept, with a note): layers inside control-flow bodies, parts of packed weights
 * (recurrent gates, fused attention), folded normalisations, {@code Einsum}, {@code ConvTranspose}, grouped
 * convolutions, {@code Gemm} with a constant first operand, weights computed by a chain of constant operators, and
 * the other quantised layouts ({@code MatMulInteger}, {@code QLinearMatMul}, {@code MatMulNBits}, weight-only
 * {@code Cast}·scale).
 */
public final class OnnxCompressor implements AutoCloseable {
    private final Path source;
    private final OnnxModel model;
    private final Map<String, Candidate> candidates = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** A layer that can be factored, how its node is rewritten, and its spectrum once computed. */
    static final class Candidate {
        final int index;
        final LayerPlan plan;
        final FactoredLayer.Form form;
        final int elementType;
        final QuantizedFactor.@Nullable Target quantized;
        /** The DequantizeLinear node that only this layer reads (removed with it), or null. */
        final @Nullable NodeProto dequantize;
        /** The spectrum last computed, held while ranks are being searched ({@link #spectrum(String, int)}). */
        @Nullable TruncationSpectrum spectrum;
        /** The factors at a rank settled on ({@link #retainFactors}), the spectrum let go. */
        @Nullable LowRankFactors retained;
        @Nullable CompressedLayer retainedLayer;

        Candidate(int index, LayerPlan plan, FactoredLayer.Form form, int elementType,
                  QuantizedFactor.@Nullable Target quantized, @Nullable NodeProto dequantize) {
            this.index = index;
            this.plan = plan;
            this.form = form;
            this.elementType = elementType;
            this.quantized = quantized;
            this.dequantize = dequantize;
        }
    }

    private OnnxCompressor(Path source, OnnxModel model, @Nullable LayerSelection selection) {
        this.source = source;
        this.model = model;
        List<Integer> chosen = selection == null ? null : selection.indicesIn(model.outline());
        GraphProto graph = model.getModelProto().getGraph();
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.add(t.getName());
        }
        Map<String, NodeProto> producers = new HashMap<>();
        Map<String, Integer> readers = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String o : n.getOutputList()) {
                producers.put(o, n);
            }
            for (String i : n.getInputList()) {
                readers.merge(i, 1, Integer::sum);
            }
        }
        long opset = model.info().opset();
        List<LayerPlan> plans = model.plans();
        for (int i = 0; i < plans.size(); i++) {
            if (chosen != null && !chosen.contains(i)) {
                continue;
            }
            LayerPlan p = plans.get(i);
            String why = reasonKept(p, opset);
            Candidate c = why != null ? null : candidate(i, p, opset, initializers, producers, readers);
            if (c == null) {
                notes.add("layer " + p.name + " (" + p.op + ") is kept: " + (why != null ? why
                        : "its weight is not an initializer of float32 or float64 (or a DequantizeLinear of int8 or"
                        + " uint8 with float scales) read by this node alone"));
            } else {
                candidates.put(p.name, c);
            }
        }
    }

    /**
     * Opens {@code source} for compression of the layers {@code selection} picks (every dense layer when null).
     *
     * @throws InvalidModelException    when the file is not a readable ONNX model
     * @throws IllegalArgumentException when the selection picks no layer
     */
    public static OnnxCompressor open(Path source, @Nullable LayerSelection selection) {
        return new OnnxCompressor(source, OnnxModelReader.open(source), selection);
    }

    /**
     * Compresses every dense layer of {@code source} with {@code choice} and writes the result to {@code target}
     * ({@link #write}).
     */
    public static OnnxCompression compress(Path source, Path target, RankChoice choice) {
        try (OnnxCompressor c = open(source, null)) {
            return c.write(target, choice);
        }
    }

    /** The layers that can be factored, by name, in graph order. */
    public List<String> getCandidates() {
        return List.copyOf(candidates.keySet());
    }

    /** One line per selected layer that is kept for its form. */
    public List<String> getNotes() {
        return List.copyOf(notes);
    }

    /** The layer's d_out × d_in, as {@code [d_out, d_in]}. */
    public int[] shape(String layer) {
        LayerPlan p = candidate(layer).plan;
        return new int[]{p.outputWidth(), p.inputWidth()};
    }

    /**
     * The rank {@code choice} gives each candidate layer (0: kept), computing the spectra it needs (the leading
     * values only for layers read from panels). Only each layer's factors at its rank are kept for {@link #write}
     * ({@link #retainFactors}), not its whole spectrum.
     */
    public Map<String, Integer> ranksFor(RankChoice choice) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (Candidate c : candidates.values()) {
            LayerPlan p = c.plan;
            if (choice.keepsWithoutSpectrum(p.outputWidth(), p.inputWidth())) {
                ranks.put(p.name, 0);
                continue;
            }
            TruncationSpectrum s = computeSpectrum(c, choice);
            c.spectrum = s;
            int r = s.rankFor(choice);
            retainFactors(p.name, r);
            ranks.put(p.name, r);
        }
        return ranks;
    }

    /**
     * The leading {@code vectors} singular triplets of a candidate layer (and σ_{vectors+1}), computed once and held
     * until {@link #retainFactors} lets them go: what a search over the layer's ranks ({@code --max-drop}) reads.
     *
     * @throws IllegalArgumentException when the layer is not a candidate
     */
    public TruncationSpectrum spectrum(String layer, int vectors) {
        return spectrumWithVectors(candidate(layer), vectors);
    }

    /**
     * Settles a layer at {@code rank}: its factors at that rank are kept for {@link #write} and the rest of its
     * spectrum is let go (everything when {@code rank} is 0), so that a search holds the full spectrum of one layer at
     * a time.
     *
     * @throws IllegalArgumentException when the layer is not a candidate
     */
    public void retainFactors(String layer, int rank) {
        Candidate c = candidate(layer);
        if (rank > 0 && !(c.retained != null && c.retained.rank() == rank)) {
            TruncationSpectrum s = spectrumWithVectors(c, rank);
            c.retained = s.factors(rank);
            c.retainedLayer = s.describe(c.plan.name, c.plan.op, rank);
        } else if (rank == 0) {
            c.retained = null;
            c.retainedLayer = null;
        }
        c.spectrum = null;
    }

    /**
     * Writes the model with each layer of {@code ranks} factored at its rank (0 or absent: kept) to {@code target},
     * recording {@code settings} in its metadata.
     *
     * @throws IllegalArgumentException when a rank is negative, does not save parameters, or names no candidate
     * @throws InvalidModelException    when the target cannot be written (nothing is left behind)
     */
    public OnnxCompression write(Path target, Map<String, Integer> ranks, String settings) {
        for (Map.Entry<String, Integer> e : ranks.entrySet()) {
            LayerPlan p = candidate(e.getKey()).plan;
            int r = e.getValue();
            int cap = RankChoice.maxSavingRank(p.outputWidth(), p.inputWidth());
            if (r < 0 || r > cap) {
                throw new IllegalArgumentException("rank " + r + " for layer " + p.name + " (" + p.outputWidth()
                        + " x " + p.inputWidth() + "): a factored rank must be 1 to " + cap + " to save parameters");
            }
        }
        return write(target, settings, c -> {
            int r = ranks.getOrDefault(c.plan.name, 0);
            if (r == 0) {
                return null;
            }
            if (c.retained != null && c.retained.rank() == r) {
                return new Factoring(c.retained, java.util.Objects.requireNonNull(c.retainedLayer));
            }
            TruncationSpectrum s = spectrumWithVectors(c, r);
            return new Factoring(s.factors(r), s.describe(c.plan.name, c.plan.op, r));
        });
    }

    /**
     * Writes the model with each candidate layer factored at the rank {@code choice} gives it, in one pass: each
     * layer's spectrum is computed, its factors built and (with external data) written to the target's data file
     * before the next layer is read, so that no more than one layer's triplets and factors are held at a time.
     *
     * @throws InvalidModelException when the target cannot be written (nothing is left behind)
     */
    public OnnxCompression write(Path target, RankChoice choice) {
        return write(target, choice.toString(), c -> {
            LayerPlan p = c.plan;
            if (choice.keepsWithoutSpectrum(p.outputWidth(), p.inputWidth())) {
                return null;
            }
            TruncationSpectrum s = computeSpectrum(c, choice);
            int r = s.rankFor(choice);
            return r == 0 ? null : new Factoring(s.factors(r), s.describe(p.name, p.op, r));
        });
    }

    /** A layer's factors and what they do to it. */
    private record Factoring(LowRankFactors factors, CompressedLayer layer) {
    }

    /** Decides one candidate's factoring (null: kept). */
    private interface FactoringChoice {
        @Nullable Factoring factoring(Candidate c);
    }

    private OnnxCompression write(Path target, String settings, FactoringChoice choice) {
        GraphNames names = GraphNames.of(model.getModelProto().getGraph());
        Map<NodeProto, Candidate> byNode = new HashMap<>();
        for (Candidate c : candidates.values()) {
            byNode.put(c.plan.node.proto, c);
        }
        Map<String, CompressedLayer> done = new HashMap<>();
        CompressedOnnxWriter.Rewriter rewriter = node -> {
            Candidate c = byNode.get(node);
            if (c == null) {
                return null;
            }
            Factoring f = choice.factoring(c);
            if (f == null) {
                return null;
            }
            LayerPlan p = c.plan;
            long[] kernel = p.convolution == null ? null : p.weight.shape.clone();
            done.put(p.name, f.layer());
            return new CompressedOnnxWriter.Rewrite(FactoredLayer.of(c.form, node, f.factors(), c.elementType,
                    c.quantized, kernel, names), c.dequantize);
        };
        CompressedOnnxWriter.Summary summary = new CompressedOnnxWriter.Summary() {
            @Override
            public List<CompressedLayer> layers() {
                List<CompressedLayer> layers = new ArrayList<>();
                for (Candidate c : candidates.values()) {
                    LayerPlan p = c.plan;
                    CompressedLayer l = done.get(p.name);
                    layers.add(l != null ? l : CompressedLayer.kept(p.name, p.op, p.outputWidth(), p.inputWidth()));
                }
                return layers;
            }

            @Override
            public long[] multiplyAdds() {
                return OnnxCompressor.this.multiplyAdds(layers());
            }
        };
        return new CompressedOnnxWriter(source, model).write(target, rewriter, summary, settings, notes);
    }

    /** Σ d_out·d_in over the main graph's dense layers, before and after: {@code [before, after]}. */
    private long[] multiplyAdds(List<CompressedLayer> compressed) {
        Map<String, CompressedLayer> byName = new HashMap<>();
        for (CompressedLayer l : compressed) {
            byName.put(l.name(), l);
        }
        long before = 0;
        long after = 0;
        for (LayerPlan p : model.plans()) {
            if (!p.subgraph.isEmpty()) {
                continue;
            }
            long full = (long) p.outputWidth() * p.inputWidth();
            CompressedLayer l = byName.get(p.name);
            before += full;
            after += l == null ? full : l.parametersAfter();
        }
        return new long[]{before, after};
    }

    private Candidate candidate(String layer) {
        Candidate c = candidates.get(layer);
        if (c == null) {
            throw new IllegalArgumentException("no layer '" + layer + "' can be factored in " + source);
        }
        return c;
    }

    /** The spectrum {@code choice} needs, computed afresh (not held). */
    private TruncationSpectrum computeSpectrum(Candidate c, RankChoice choice) {
        LayerPlan p = c.plan;
        String file = model.info().path();
        if (streamed(p)) {
            try (WeightPanels panels = p.panels(file)) {
                return TruncationSpectrum.of(panels, choice);
            }
        }
        return TruncationSpectrum.of(p.load(file).weights(), choice);
    }

    /** A spectrum holding at least {@code rank} vector pairs and σ_{rank+1}. */
    private TruncationSpectrum spectrumWithVectors(Candidate c, int rank) {
        TruncationSpectrum held = c.spectrum;
        int minDim = Math.min(c.plan.outputWidth(), c.plan.inputWidth());
        if (held != null && held.vectorCount() >= rank && held.singularValues().length >= Math.min(rank + 1, minDim)) {
            return held;
        }
        TruncationSpectrum s = computeSpectrum(c, RankChoice.fixedRank(rank));
        c.spectrum = s;
        return s;
    }

    /** Whether the layer's spectrum is computed from its stored panels (never copied whole onto the heap). */
    private static boolean streamed(LayerPlan p) {
        return p.hasPanels() && p.elementType() != ElementType.FLOAT64;
    }

    /** Why a layer is kept whatever its weights are, or null when its form may be rewritten. */
    private static @Nullable String reasonKept(LayerPlan p, long opset) {
        if (!p.subgraph.isEmpty()) {
            return "it lives in " + p.subgraph + " (layers inside control flow are not rewritten)";
        }
        if (p.gate != null || p.wiring != LayerPlan.Wiring.THROUGH) {
            return "it is one part of a packed weight";
        }
        if (p.batchNorm != null) {
            return "a normalisation is folded into it";
        }
        if (!p.node.isStandard()) {
            return "its operator is not in the standard domain";
        }
        if (p.op.equals("Gemm") && opset < 11) {
            return "a Gemm without C needs opset 11 or later (the model's is " + opset + ")";
        }
        if (p.op.equals("Conv") && (p.convolution == null || p.convolution.groups() != 1)) {
            return "only convolutions with group 1 are rewritten";
        }
        if (!p.op.equals("MatMul") && !p.op.equals("Gemm") && !p.op.equals("Conv")) {
            return p.op + " layers are not rewritten";
        }
        return null;
    }

    /** The candidate for a plan whose weight is an initializer (or a QDQ of one) that only its node reads. */
    private static @Nullable Candidate candidate(int index, LayerPlan p, long opset, Set<String> initializers,
                                                 Map<String, NodeProto> producers, Map<String, Integer> readers) {
        NodeProto node = p.node.proto;
        if (node.getInputCount() < 2) {
            return null;
        }
        boolean weightFirst = p.op.equals("MatMul") && !p.transpose;
        String weightInput = node.getInput(weightFirst ? 0 : 1);
        if (p.op.equals("Gemm") && weightFirst) {
            return null;
        }
        if (p.weight instanceof ConstantTensor.Stored s && initializers.contains(weightInput)
                && s.payload.name().equals(weightInput)
                && (s.payload.dataType() == TensorPayload.FLOAT || s.payload.dataType() == TensorPayload.DOUBLE)) {
            FactoredLayer.Form form = switch (p.op) {
                case "Gemm" -> FactoredLayer.Form.GEMM;
                case "Conv" -> FactoredLayer.Form.CONV;
                default -> weightFirst ? FactoredLayer.Form.MATMUL_LEFT : FactoredLayer.Form.MATMUL_RIGHT;
            };
            return new Candidate(index, p, form, s.payload.dataType(), null, null);
        }
        NodeProto dq = producers.get(weightInput);
        if (p.op.equals("MatMul") && !weightFirst && p.weight instanceof ConstantTensor.Dequantize d && dq != null
                && dq.getOpType().equals("DequantizeLinear") && (dq.getDomain().isEmpty())
                && d.blockSize == 0 && d.x instanceof ConstantTensor.Stored x
                && initializers.contains(dq.getInput(0)) && x.payload.name().equals(dq.getInput(0))
                && (x.payload.dataType() == TensorPayload.INT8 || x.payload.dataType() == TensorPayload.UINT8)
                && d.scale instanceof ConstantTensor.Stored scale && scale.payload.dataType() == TensorPayload.FLOAT
                && readers.getOrDefault(weightInput, 0) == 1) {
            QuantizedFactor.Target target = new QuantizedFactor.Target(x.payload.dataType(), opset >= 13,
                    TensorPayload.FLOAT);
            return new Candidate(index, p, FactoredLayer.Form.QDQ_MATMUL, TensorPayload.FLOAT, target, dq);
        }
        return null;
    }

    /** Holds nothing open beyond a call. */
    @Override
    public void close() {
        model.close();
    }
}
