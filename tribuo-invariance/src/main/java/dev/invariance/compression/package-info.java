/**
 * Low-rank compression of dense layers: choosing a rank ({@link RankChoice}: a fixed rank, or the smallest rank
 * keeping a share of the energy ‖W‖_F²), the truncated SVD it needs ({@link TruncationSpectrum}, dense or top-k from
 * panels), and the factorisation {@code W ≈ (U_r Σ_r^{1/2})(Σ_r^{1/2} V_rᵀ)} ({@link LowRankFactors}) whose spectral
 * error is σ_{r+1} (Eckart–Young). The ONNX rewriting and the Tribuo model's compression build on these.
 */
@NullMarked
package dev.invariance.compression;

import org.jspecify.annotations.NullMarked;
