#!/usr/bin/env bash
# Runs mnist-spark on this machine with Spark local[*]: builds the project when needed, fetches MNIST on first use.
# Needs only Java 17, Maven and npm.
#
#   submit/local.sh                       train with the defaults (all of MNIST, 20 epochs) into output/
#   submit/local.sh COMMAND [OPTIONS]     any mnist-spark command: train, evaluate, doctor, fetch-data, predict, render,
#                                         serve, help
#   submit/local.sh train --help          options of a command
#
# Environment: JAVA_OPTS (JVM options, default -Xmx8g), OMP_NUM_THREADS (default 1: one thread per Spark task),
#              MALLOC_MMAP_THRESHOLD_ (default 131072: glibc gives freed arrays back at once).
set -euo pipefail
# shellcheck source=lib/local-runtime.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-runtime.sh"

cd "$mnist_root"
[[ $# -eq 0 ]] && set -- train
mnist_build_if_needed
# MNIST is fetched (and verified) first when the job reads the default data folder.
if reads_default_data "$@"; then
  mnist_cli fetch-data >&2
fi
mnist_cli "$@"
