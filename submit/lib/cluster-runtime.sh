# shellcheck shell=bash
# Spark's runtime for submit/local-cluster.sh (sourced after project.sh): target/spark-home, which has Spark's jars
# from Maven, the project's log4j2 configuration and a bin/spark-submit, but none of Spark's other scripts.
: "${mnist_root:?source submit/lib/project.sh first}"

spark_home=$mnist_root/target/spark-home

# Assembles target/spark-home; resolves the jars (mvn) only when submit/spark-runtime/pom.xml changed since.
ensure_spark_home() {
  local pom=$mnist_root/submit/spark-runtime/pom.xml stamp=$spark_home/jars/.resolved
  if [[ ! -f "$stamp" || "$pom" -nt "$stamp" ]]; then
    echo "Resolving Spark's runtime jars into $spark_home/jars (mvn)..." >&2
    rm -rf "$spark_home/jars"
    mvn -B -q -f "$pom" dependency:copy-dependencies -DoutputDirectory="$spark_home/jars" >&2
    touch "$stamp"
  fi
  mkdir -p "$spark_home/bin" "$spark_home/conf"
  install -m 755 "$mnist_root/submit/lib/spark-submit" "$spark_home/bin/spark-submit"
  # First on every classpath of the cluster (daemons, executors, drivers): the project's own log4j2 configuration.
  install -m 644 "$mnist_root/conf/log4j2.properties" "$spark_home/conf/log4j2.properties"
  # No core-site.xml: the default file system stays the local disk (file:///), which every executor on this machine
  # shares. (Earlier versions wrote one that presented it as viewfs, for dl4j-spark's Export approach, which mnist-spark
  # no longer uses.)
  rm -f "$spark_home/conf/core-site.xml"
}

# spark_home_submit ARGS...: this runtime's spark-submit.
spark_home_submit() {
  SPARK_HOME=$spark_home "$spark_home/bin/spark-submit" "$@"
}
