#!/usr/bin/env bash
# Runs the project's benchmark harness and the PyTorch/numpy anchor (../shared/bench/anchor.py) side by side
# on this machine, printing one JSON line each. Usage: bench/run.sh [B1] [B2] [B3] [B4] [B6]
# B6 (ONNX Runtime activation probe against plain ONNX Runtime inference, both in the harness) reads
# BENCH_DATA (default ../bench-data): /usr/bin/python3 ../shared/bench/onnx_models.py B6 ../bench-data
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
train=(); spectrum=(); probe=(); anchored=()
for w in "${which[@]}"; do
  case "$w" in B1|B2) train+=("$w"); anchored+=("$w");; B3|B4) spectrum+=("$w"); anchored+=("$w");; B6) probe+=("$w");; esac
done
if [ ${#anchored[@]} -eq 0 ]; then
  :
elif [ -f "$anchor" ] && /usr/bin/python3 -c 'import torch, numpy, scipy' 2>/dev/null; then
  echo "anchor: $(/usr/bin/python3 "$anchor" "${anchored[@]}")"
else
  echo "anchor: skipped (needs $anchor and python3-torch, python3-numpy, python3-scipy)"
fi
if [ ${#train[@]} -gt 0 ]; then
  echo "invariance: $(java -Xmx8g -cp "$cp" dev.invariance.examples.bench.TrainingBenchmark "${train[@]}")"
fi
if [ ${#spectrum[@]} -gt 0 ] && [ -d "$root/tribuo-invariance/target/test-classes/dev/invariance/bench" ]; then
  echo "invariance: $(java -Xmx8g -cp "$cp" dev.invariance.bench.SpectrumBenchmark "${spectrum[@]}")"
fi
if [ ${#probe[@]} -gt 0 ]; then
  # -Xmx256m: the probe streams the CSV and keeps running counts only (memory flat in the examples)
  echo "invariance: $(java -Xmx256m -cp "$cp" dev.invariance.examples.bench.OnnxProbeBenchmark "${BENCH_DATA:-$root/../bench-data}")"
fi
