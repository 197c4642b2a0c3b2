# shellcheck shell=bash
# Shared by the scripts that run mnist-spark from this checkout without spark-submit (local.sh, benchmark.sh).
# Source it; besides submit/lib/project.sh it defines:
#   mnist_build_if_needed   compile and list the classpath (Spark included) when sources changed
#   mnist_java CLASS ARGS   run a main class with the Java 17 flags Spark needs and the project's logging
#   mnist_cli ARGS          run the mnist-spark command line (MAIN_CLASS) that way

# shellcheck source=project.sh
source "$(dirname "${BASH_SOURCE[0]}")/project.sh"

mnist_classpath_file="$mnist_root/target/classpath.txt"

mnist_build_if_needed() {
  local stamp="$mnist_root/target/.local-build"
  if [[ -f "$mnist_classpath_file" ]] && ! sources_newer_than "$stamp"; then
    return
  fi
  echo "Building mnist-spark (mvn compile)..." >&2
  # includeScope=compile also lists 'provided' dependencies: a run outside spark-submit must bring Spark itself.
  mvn -B -q -f "$mnist_root/pom.xml" compile dependency:build-classpath \
    -Dmdep.outputFile="$mnist_classpath_file" -Dmdep.includeScope=compile >&2
  touch "$stamp"
}

mnist_java() {
  local main_class=$1; shift
  local java_opts
  # JAVA_OPTS holds several options separated by blanks, as with java's own JDK_JAVA_OPTIONS.
  read -r -a java_opts <<<"${JAVA_OPTS:--Xmx8g}"
  # Loopback only, one OpenMP thread per Spark task, and glibc giving freed arrays back at once (as
  # spark.executorEnv.MALLOC_MMAP_THRESHOLD_ in conf/spark-defaults.conf says why), unless the caller says otherwise.
  SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" \
    MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}" \
    java @"$mnist_root/conf/java17.args" "${java_opts[@]}" \
    -Dlog4j2.configurationFile="$mnist_root/conf/log4j2.properties" \
    -cp "$mnist_root/target/classes:$(cat "$mnist_classpath_file")" "$main_class" "$@"
}

mnist_cli() {
  mnist_java "$MAIN_CLASS" "$@"
}
