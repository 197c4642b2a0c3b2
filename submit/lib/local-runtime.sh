# Shared by the scripts that run mnist-spark from this checkout without spark-submit (local.sh, benchmark.sh).
# Source it; it defines:
#   mnist_build_if_needed   compile and list the classpath (Spark included) when sources changed
#   mnist_java CLASS ARGS   run a main class with the Java 17 flags Spark needs and the project's logging

mnist_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mnist_classpath_file="$mnist_root/target/classpath.txt"

mnist_build_if_needed() {
  local stamp="$mnist_root/target/.local-build"
  if [[ -f "$stamp" && -f "$mnist_classpath_file" \
        && -z "$(find "$mnist_root/src/main" "$mnist_root/pom.xml" "$mnist_root/conf" -newer "$stamp" -print -quit)" ]]; then
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
  # Loopback only, and one OpenMP thread per Spark task unless the caller says otherwise.
  SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" \
    java @"$mnist_root/conf/java17.args" ${JAVA_OPTS:--Xmx8g} \
    -Dlog4j2.configurationFile="$mnist_root/conf/log4j2.properties" \
    -cp "$mnist_root/target/classes:$(cat "$mnist_classpath_file")" "$main_class" "$@"
}
