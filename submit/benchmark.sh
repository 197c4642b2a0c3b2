#!/usr/bin/env bash
# Trains the reference CNN in one sitting with (a) mnist-spark on local[N], (b) plain single-JVM DL4J on the same
# network and batch size, and the peers where their framework can be installed from the configured wheel index:
# (c) the PyTorch port (../shared/peers/torch_seed_cnn.py) and (d) the seed's own Keras model on TensorFlow
# (../shared/peers/keras_seed_cnn.py). Prints one table: training and evaluation images/s, peak RSS, test accuracy,
# and mnist-spark's ratio to every other system in both. Also writes it as JSON (one object per system).
#
#   submit/benchmark.sh [--warmup N] [--epochs N] [--workers N] [--batch N] [--averaging N] [--out DIR]
#                       [--peer PATH] [--keras-peer PATH] [--skip-torch] [--skip-keras]
#
#   --warmup N     epochs run before measuring (default 1)
#   --epochs N     measured epochs (default 2)
#   --workers N    Spark workers, i.e. local[N] (default 2)
#   --batch N      minibatch per worker, also plain DL4J's minibatch (default: conf/mnist-cnn.properties)
#   --averaging N  averaging frequency of mnist-spark (default: conf/mnist-cnn.properties)
#   --out DIR      where logs and benchmark.json go (default target/benchmark)
#   --peer PATH    the PyTorch peer (default ../shared/peers/torch_seed_cnn.py beside the repo)
#   --keras-peer PATH  the Keras peer (default ../shared/peers/keras_seed_cnn.py beside the repo)
#   --skip-torch   do not try PyTorch;  --skip-keras  do not try Keras
#
# The peers run with WORKERS threads and batch 200, as in the reference notebook; each framework goes into its own
# venv under target/ (PyTorch: torch-venv, TensorFlow: keras-venv) the first time.
#
# Runs one system at a time; run nothing else heavy on the machine meanwhile. No timing is asserted anywhere.
set -euo pipefail
# shellcheck source=lib/local-runtime.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-runtime.sh"

warmup=1 epochs=2 workers=2 batch=$(mnist_default train.batch-size-per-worker)
averaging=$(mnist_default train.averaging-frequency)
out="$mnist_root/target/benchmark" peer="$mnist_root/../shared/peers/torch_seed_cnn.py" skip_torch=false
keras_peer="$mnist_root/../shared/peers/keras_seed_cnn.py" skip_keras=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --warmup) warmup=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --averaging) averaging=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --peer) peer=$2; shift 2 ;;
    --keras-peer) keras_peer=$2; shift 2 ;;
    --skip-torch) skip_torch=true; shift ;;
    --skip-keras) skip_keras=true; shift ;;
    -h|--help) print_usage; exit 0 ;;
    *) echo "benchmark.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

cd "$mnist_root"
mkdir -p "$out"
out=$(cd "$out" && pwd)
data=$mnist_data_dir
mnist_build_if_needed
mnist_cli fetch-data --data-dir "$data" >&2
total=$((warmup + epochs))

# Peak resident memory (kB) of a command, from GNU time; the command's output goes to LOG.
timed() {
  local log=$1; shift
  /usr/bin/time -f "PEAK_RSS_KB=%M" -o "$log.rss" "$@" >"$log" 2>&1
}

echo "== (a) mnist-spark on local[$workers], batch $batch per worker, averaging every $averaging (0: derived)" >&2
OMP_NUM_THREADS=${SPARK_OMP_THREADS:-1} timed "$out/mnist-spark.log" \
  "$mnist_root/submit/local.sh" train --master "local[$workers]" --data-dir "$data" --epochs "$total" \
  --batch-size-per-worker "$batch" --averaging-frequency "$averaging" --output "$out/mnist-spark-run" --overwrite

echo "== (b) plain DL4J, one JVM, batch $batch" >&2
# shellcheck disable=SC2016  # expanded by the inner bash: $0 is local-runtime.sh, "$@" the benchmark's arguments
OMP_NUM_THREADS=${DL4J_OMP_THREADS:-$workers} timed "$out/plain-dl4j.log" \
  bash -c 'source "$0" && mnist_java io.mnistspark.benchmark.PlainDl4jBenchmark "$@"' \
    "$mnist_root/submit/lib/local-runtime.sh" "$data" "$warmup" "$epochs" "$batch"

# Runs one peer: NAME SKIP SCRIPT IMPORTS PACKAGES... (IMPORTS: the Python modules that prove its venv complete).
# Its log goes to OUT/NAME.log; why it did not run, to OUT/NAME.note.
run_peer() {
  local name=$1 skip=$2 script=$3 imports=$4; shift 4
  local venv="$mnist_root/target/$name-venv"
  rm -f "$out/$name.log" "$out/$name.note"
  if [[ $skip == true ]]; then
    echo "skipped (--skip-$name)" >"$out/$name.note"; return
  elif [[ ! -f "$script" ]]; then
    echo "skipped: $script not found" >"$out/$name.note"; return
  fi
  if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import $imports" 2>/dev/null; then
    echo "== installing $* into $venv" >&2
    if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q --retries 1 --timeout 30 "$@"; } \
        >"$out/$name-install.log" 2>&1; then
      echo "skipped: $* could not be installed (see $out/$name-install.log)" >"$out/$name.note"; return
    fi
  fi
  echo "== $name peer, $workers threads, batch 200 as in the reference notebook" >&2
  timed "$out/$name.log" "$venv/bin/python" "$script" "$data" "$total" "$workers" 200 \
    || echo "failed (see $out/$name.log)" >"$out/$name.note"
}

echo "== (c) PyTorch" >&2
run_peer torch "$skip_torch" "$peer" "torch, numpy" torch numpy
echo "== (d) Keras on TensorFlow" >&2
run_peer keras "$skip_keras" "$keras_peer" "tensorflow, keras, numpy" tensorflow-cpu numpy

"$("$mnist_root/notebooks/run.sh" --venv-only)" "$mnist_root/submit/lib/benchmark_report.py" "$out" "$warmup" "$epochs" "$workers" "$batch"
