package dev.invariance.analysis;

/**
 * Progress of a {@link WeightAnalyzer} analysis (a SAM interface: a Kotlin or Java lambda, a terminal progress bar,
 * a test's recorder). Set it with {@link WeightAnalyzer#withProgress}; every evaluator that runs that analyzer
 * (Tribuo models through {@code InvarianceEvaluator}, ONNX models through {@code OnnxAnalysis} or
 * {@code OnnxDataAnalyzer}) then reports through it.
 *
 * <p>The engine calls it once when the analysis starts (nothing done yet), then after each layer's spectrum and
 * after each edge's pair report. Layers run in parallel, but the calls are made one at a time (never concurrently)
 * and in order, so an implementation needs no locking and sees every count rise monotonically. The call is made on
 * the thread that finished the work: keep it short. An exception it throws ends the analysis.
 */
@FunctionalInterface
public interface AnalysisProgress {
    /** A listener that ignores every update. */
    AnalysisProgress NONE = status -> { };

    /** Called with the counts so far (see the interface comment for when). */
    void onProgress(AnalysisStatus status);
}
