#!/usr/bin/env bash
# make bench: every speed and memory goal, each measured against its peer in the same run.
#   1. object model training throughput vs PyTorch at one thread and on all cores, peak RSS
#                                                                             (bench/model.sh)
#   2. linear observer vs scikit-learn (its default threads) and vs our portable Go kernels; all
#      1022 label-subset observers                                            (bench/observer)
#   3. exact denotation scan vs the naive per-subset stump loop                (bench/denotation)
# Output: JSON lines and summaries on stdout; a copy goes to bench/out/bench-DATE.log.
# DENOTATION_KERNEL=go|avx2|avx512 forces the observers' kernel path (default: the best the CPU has).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOMLX_NO_AUTO_INSTALL=1
# The peers run at their best: no thread limits inherited from here (bench/modelbench sets one
# thread itself for PyTorch's one-thread figure).
unset OPENBLAS_NUM_THREADS OMP_NUM_THREADS MKL_NUM_THREADS
mkdir -p bench/out
log="bench/out/bench-$(date -u +%Y%m%dT%H%M%SZ).log"
{
  echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version)"
  echo "== observer kernel path: $(go run ./bench/observer -mode kernel)"
  echo "== 1. object model training (ours vs PyTorch)"
  FULL="${FULL:-1}" bash bench/model.sh
  echo "== 2. observers (ours vs scikit-learn)"
  go run ./bench/observer -mode all -train
  echo "== 3. denotation scan (exact vs naive)"
  go run ./bench/denotation
} 2>&1 | tee "$log"
echo "bench: log in $log"
