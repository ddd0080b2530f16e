#!/usr/bin/env bash
# Runs the project's benchmark harness and the PyTorch/numpy anchor (../shared/bench/anchor.py) side by side
# on this machine, printing one JSON line each. Usage: bench/run.sh [B1] [B2] [B3] [B4] [B5] [B6] [B7] [B8] [B9] [B10] [SVM]
# B5 and B7 analyse the ONNX models of ../shared/bench/onnx_models.py (generate them once into $BENCH_DATA, default
# ../bench-data: onnx_models.py B5 DIR; onnx_models.py B7 DIR) as whole processes, beside onnx_anchor.py, timed with
# /usr/bin/time (wall seconds and peak RSS); B7 runs with -Xmx1g in both spectrum modes. B8 (onnx_models.py B8 DIR,
# 13.2 GB of float16) runs in top-k mode with -Xmx1g, B9 (bench/b9_vocab.py DIR: one 4096 x 128,256 float16 layer)
# in top-k mode with -Xmx512m, each beside onnx_anchor.py MODEL topk. B10 compresses the 12-block B7 model (1.47 GB of
# float32: /usr/bin/python3 ../shared/bench/onnx_models.py B7 $BENCH_DATA/b10 --blocks 12) with `compress --rank 64`
# under -Xmx1g (top-k triplets per layer, factors written to the output's data file as each layer is done).
# B6 (ONNX Runtime activation probe against plain ONNX Runtime inference, both in the harness) reads
# $BENCH_DATA/b6_mlp.onnx and b6_data.csv (onnx_models.py B6 DIR).
# Needs: mvn -B -q package -DskipTests first; for the anchor, apt-get install python3-torch python3-numpy python3-scipy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(B1 B2 B3 B4)
if [ ! -d "$root/onnx-bridge/target/lib" ] || [ ! -d "$root/examples/target/classes" ]; then
  echo "bench: build first with mvn -B -q package -DskipTests" >&2
  exit 2
fi
# the command line's runtime libraries (target/lib) hold every dependency, the library jar included
cp="$root/examples/target/classes:$root/tribuo-invariance/target/test-classes:$root/onnx-bridge/target/onnx-bridge.jar:$root/onnx-bridge/target/lib/*"
anchor="${ANCHOR:-$root/../shared/bench/anchor.py}"
train=(); spectrum=(); onnx=(); probe=(); svm=0
for w in "${which[@]}"; do
  case "$w" in B1|B2) train+=("$w");; B3|B4) spectrum+=("$w");; B5|B7|B8|B9|B10) onnx+=("$w");; B6) probe+=("$w");; SVM) svm=1;; esac
done
if [ $((${#train[@]} + ${#spectrum[@]})) -eq 0 ]; then
  :
elif [ -f "$anchor" ] && /usr/bin/python3 -c 'import torch, numpy, scipy' 2>/dev/null; then
  echo "anchor: $(/usr/bin/python3 "$anchor" "${train[@]}" "${spectrum[@]}")"
else
  echo "anchor: skipped (needs $anchor and python3-torch, python3-numpy, python3-scipy)"
fi
if [ ${#train[@]} -gt 0 ]; then
  echo "invariance: $(java -Xmx8g -cp "$cp" dev.invariance.examples.bench.TrainingBenchmark "${train[@]}")"
fi
if [ ${#spectrum[@]} -gt 0 ] && [ -d "$root/tribuo-invariance/target/test-classes/dev/invariance/bench" ]; then
  for w in "${spectrum[@]}"; do
    if [ "$w" = B4 ]; then
      # B4 runs the truncated SVD as `invariance analyze` does (bin/invariance): OpenBLAS on one thread, the
      # Gram products split over the cores in Java (GramOperator); B3's dense SVD keeps OpenBLAS's threads
      echo "invariance: $(OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" java -Xmx8g -cp "$cp" dev.invariance.bench.SpectrumBenchmark B4)"
    else
      echo "invariance: $(java -Xmx8g -cp "$cp" dev.invariance.bench.SpectrumBenchmark "$w")"
    fi
  done
fi
if [ "$svm" = 1 ]; then
  echo "invariance: $(java -Xmx8g -cp "$cp" dev.invariance.examples.bench.SvmBenchmark)"
fi

# whole-process figures of one command: {"seconds": wall, "peak_rss_mb": max RSS}
timed() {
  local log
  log="$(mktemp)"
  /usr/bin/time -f '%e %M' -o "$log" "$@" > /dev/null
  awk '{printf "{\"seconds\": %s, \"peak_rss_mb\": %.0f}", $1, $2 / 1024}' "$log"
  rm -f "$log"
}
data="${BENCH_DATA:-$root/../bench-data}"
onnx_anchor="${ONNX_ANCHOR:-$root/../shared/bench/onnx_anchor.py}"
for w in "${onnx[@]}"; do
  case "$w" in
    B5)
      model="$data/b5_dense24.onnx"
      [ -f "$model" ] || { echo "bench: $model is missing (onnx_models.py B5 $data)" >&2; exit 2; }
      echo "anchor B5 full: $(/usr/bin/python3 "$onnx_anchor" "$model" full)"
      echo "invariance B5 full: $(timed "$root/bin/invariance" analyze "$model" --format json)";;
    B7)
      model="$data/b7_gpt2xl.onnx"
      [ -f "$model" ] || { echo "bench: $model is missing (onnx_models.py B7 $data)" >&2; exit 2; }
      # read the 5.9 GB once first, so that neither side pays for a cold page cache (10-17 s of system time)
      cat "$model" "$data"/b7_gpt2xl.data > /dev/null 2>&1 || true
      for mode in top-k full; do
        echo "anchor B7 ${mode}: $(/usr/bin/python3 "$onnx_anchor" "$model" "${mode/-/}")"
        echo "invariance B7 ${mode}: $(INVARIANCE_JAVA_OPTS=-Xmx1g timed "$root/bin/invariance" analyze "$model" --format json --spectrum "$mode")"
      done;;
    B8|B9)
      if [ "$w" = B8 ]; then model="$data/b8_llama7b.onnx"; heap=1g; make="onnx_models.py B8 $data"
      else model="$data/b9_vocab.onnx"; heap=512m; make="bench/b9_vocab.py $data"; fi
      [ -f "$model" ] || { echo "bench: $model is missing ($make)" >&2; exit 2; }
      echo "anchor $w top-k: $(/usr/bin/python3 "$onnx_anchor" "$model" topk)"
      echo "invariance $w top-k: $(INVARIANCE_JAVA_OPTS=-Xmx$heap timed "$root/bin/invariance" analyze "$model" --format json --spectrum top-k)";;
    B10)
      model="$data/b10/b7_gpt2xl.onnx"
      [ -f "$model" ] || { echo "bench: $model is missing (onnx_models.py B7 $data/b10 --blocks 12)" >&2; exit 2; }
      cat "$model" "$data"/b10/b7_gpt2xl.data > /dev/null 2>&1 || true
      small="$(mktemp -d)"
      echo "invariance B10 compress --rank 64: $(INVARIANCE_JAVA_OPTS=-Xmx1g timed "$root/bin/invariance" compress "$model" --output "$small/b10_small.onnx" --rank 64 --format json --quiet)"
      rm -rf "$small";;
  esac
done
if [ ${#probe[@]} -gt 0 ]; then
  # -Xmx256m: the probe streams the CSV and keeps running counts only (memory flat in the examples)
  echo "invariance: $(java -Xmx256m -cp "$cp" dev.invariance.examples.bench.OnnxProbeBenchmark "$data")"
fi
