#!/usr/bin/env bash
# Benchmarks of pkg/model (the object model). Prints JSON lines on stdout and a summary on stderr.
#   bash bench/model.sh            training throughput of a 784-256-128-10 MLP at batch 128: ours
#                                  (fast Dense), gomlx's stock Dense, the PyTorch peer
#                                  (bench/torch_mlp.py; skipped if torch is missing) at one thread
#                                  and on all cores, and both ratios
#                                  then the same for the 6 × 128 MLP of the findings, and that MLP
#                                  again on simplego's scalar DotGeneral kernel (DENOTATION_DOT_KERNEL=go)
#   FULL=1 bash bench/model.sh     also 5 epochs of 784-128-128-10 on full MNIST: test accuracy,
#                                  time, peak RSS (about a minute on 2 cores)
#   GOBENCH=1 bash bench/model.sh  also `go test -bench TrainStep ./pkg/model/` (stock vs fast)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOMLX_NO_AUTO_INSTALL=1
bin="$(mktemp -d)/modelbench"
go build -o "$bin" ./bench/modelbench
"$bin" -mode throughput -stock -peer bench/torch_mlp.py -python "${PYTHON:-/usr/bin/python3}"
# The findings' object model (findings.StudyModel, 6 × 128) against PyTorch, with the SIMD block
# kernel of simplego's DotGeneral and, for the ratio, with simplego's own scalar kernel.
study=128,128,128,128,128,128
"$bin" -mode throughput -hidden "$study" -peer bench/torch_mlp.py -python "${PYTHON:-/usr/bin/python3}"
DENOTATION_DOT_KERNEL=go "$bin" -mode throughput -hidden "$study"
if [ "${FULL:-0}" = 1 ]; then
  "$bin" -mode mnist -seeds "${SEEDS:-1}"
fi
if [ "${GOBENCH:-0}" = 1 ]; then
  go test -run '^$' -bench TrainStep -benchtime 24x ./pkg/model/
fi
rm -rf "$(dirname "$bin")"
