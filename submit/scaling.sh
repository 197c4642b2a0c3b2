#!/usr/bin/env bash
# The scaling study: trains the reference CNN on local[N] for each worker count and each outer optimizer, one run
# after another, and reports final test accuracy, validation accuracy, training seconds and rounds per run, plus
# the measured compute and averaging cost of a round and the speed-up they predict on N real machines.
# Prints a table, writes scaling.json and scaling.png into --out, and docs/scaling.md's table with --write-docs.
#
#   submit/scaling.sh [--workers "1 2 4 8 16"] [--optimizers "none nesterov"] [--epochs N]
#                     [--validation-images N] [--out DIR] [--write-docs] [--report-only] [-- TRAIN_OPTIONS...]
#
#   --workers LIST         worker counts, each run on local[N] (default "1 2 4 8 16")
#   --optimizers LIST      outer optimizers (default "none nesterov"; nesterov with the configured rate and momentum)
#   --epochs N             epochs of every run (default 20)
#   --validation-images N  training images held out and measured per epoch (default 5000)
#   --out DIR              runs, logs, scaling.json and scaling.png (default target/scaling)
#   --write-docs           also rewrite docs/scaling.md's generated part and docs/images/scaling.png
#   --report-only          train nothing: report every finished run already under --out
#   -- TRAIN_OPTIONS       passed to every `train` (e.g. -- --train-limit 6000)
#
# On a 2-core machine the workers time-share the cores: accuracy is the figure there, and the predicted speed-up
# comes from the rounds' measured costs. Runs one training at a time; run nothing else heavy meanwhile.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/project.sh
source "$here/lib/project.sh"

workers="1 2 4 8 16" optimizers="none nesterov" epochs=20 validation=5000 out="$mnist_root/target/scaling" docs=false
report_only=false
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers) workers=$2; shift 2 ;;
    --optimizers) optimizers=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --validation-images) validation=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --write-docs) docs=true; shift ;;
    --report-only) report_only=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) print_usage; exit 0 ;;
    *) echo "scaling.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

mkdir -p "$out/runs"
out=$(cd "$out" && pwd)
python=$("$mnist_root/notebooks/run.sh" --venv-only)
runs=()
if [[ $report_only == true ]]; then
  for run in "$out"/runs/workers-*; do
    [[ -f "$run/_SUCCESS" ]] && runs+=("$run")
  done
  ((${#runs[@]})) || { echo "scaling.sh: no finished runs under $out/runs" >&2; exit 1; }
fi
# Both optimizers at one worker count run back to back, so that each pair shares a sitting.
for n in $workers; do
  [[ $report_only == true ]] && break
  for optimizer in $optimizers; do
    run="$out/runs/workers-$n-$optimizer"
    echo "== $n workers (local[$n]), outer optimizer $optimizer, $epochs epochs" >&2
    "$here/local.sh" train --master "local[$n]" --workers "$n" --epochs "$epochs" --validation-images "$validation" \
      --outer-optimizer "$optimizer" --output "$run" --overwrite "${extra[@]}" >"$run.log" 2>&1 \
      || { echo "scaling.sh: the run with $n workers and $optimizer failed; see $run.log" >&2; exit 1; }
    runs+=("$run")
  done
done

report=("$python" "$here/lib/scaling_report.py" --out "$out")
[[ $docs == true ]] && report+=(--docs "$mnist_root/docs")
"${report[@]}" "${runs[@]}"
