# shellcheck shell=bash
# The facts every submit/ script shares (sourced, never run; common.sh and local-runtime.sh source it): where the
# project is, its main class and jar, when a build is stale, where MNIST goes and which commands read it there, and
# how a script prints its usage.

mnist_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The jar's command line (also its Main-Class, from maven-shade-plugin in pom.xml).
# shellcheck disable=SC2034  # read by the scripts that source this file
MAIN_CLASS=io.mnistspark.cli.MnistCli
# The name maven-shade-plugin gives the cluster jar (<finalName> in pom.xml), and where 'mvn package' puts it.
JAR_NAME=mnist-spark.jar
built_jar=$mnist_root/target/$JAR_NAME

# mnist_default KEY: the value of KEY in conf/mnist-cnn.properties, the job's bundled defaults.
mnist_default() {
  sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$mnist_root/conf/mnist-cnn.properties"
}

# The folder the jobs read MNIST from unless told otherwise (data.dir, relative to the project), and its four IDX files
# (as io.mnistspark.data.Split names them), each plain or gzipped.
mnist_data_dir=$(mnist_default data.dir)
[[ "$mnist_data_dir" == /* ]] || mnist_data_dir=$mnist_root/$mnist_data_dir
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

fail() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# The calling script's usage: its header comment, from line 2 up to 'set -euo pipefail'.
print_usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

# sources_newer_than FILE: true when FILE is missing or a build input is newer: src/main, pom.xml, and the conf/
# files the build packages (the <resources> of pom.xml).
sources_newer_than() {
  [[ ! -f "$1" ]] || [[ -n "$(find "$mnist_root/src/main" "$mnist_root/pom.xml" "$mnist_root/conf/mnist-cnn.properties" \
    "$mnist_root/conf/java17.args" -newer "$1" -print -quit)" ]]
}

# Builds target/mnist-spark.jar (mvn package) when it is missing or older than its sources.
build_jar_if_needed() {
  sources_newer_than "$built_jar" || return 0
  echo "Building $built_jar (mvn package)..." >&2
  mvn -B -q -f "$mnist_root/pom.xml" package -DskipTests >&2
}

# reads_default_data COMMAND [OPTIONS]: true when the command reads MNIST from the default folder, so that the
# scripts fetch it on first use: train, evaluate and doctor, without --data-dir, --conf (which may name a folder) or
# --help.
reads_default_data() {
  [[ "${1:-}" == train || "${1:-}" == evaluate || "${1:-}" == doctor ]] || return 1
  local arg
  for arg in "${@:2}"; do
    case "$arg" in
      --data-dir | --data-dir=* | --conf | --conf=* | -h | --help) return 1 ;;
    esac
  done
}

# mnist_data_complete DIR: true when DIR holds all four MNIST files.
mnist_data_complete() {
  local name
  for name in "${MNIST_FILES[@]}"; do
    [[ -f "$1/$name" || -f "$1/$name.gz" ]] || return 1
  done
}
