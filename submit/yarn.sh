#!/usr/bin/env bash
# Runs an mnist-spark command on a Hadoop YARN cluster with spark-submit.
#
#   submit/yarn.sh [SPARK-SUBMIT OPTIONS --] COMMAND [OPTIONS]
#
#   submit/yarn.sh train --data-dir hdfs:///mnist --output hdfs:///runs/r1
#   submit/yarn.sh --queue ml --num-executors 8 -- train --data-dir hdfs:///mnist --output hdfs:///runs/r2
#   DEPLOY_MODE=client submit/yarn.sh evaluate --model hdfs:///runs/r1 --data-dir hdfs:///mnist --output hdfs:///e1
#   submit/yarn.sh --help                this text and the jar's commands;  submit/yarn.sh train --help
#
# Required: SPARK_HOME (Spark 3.5, Scala 2.12), HADOOP_CONF_DIR or YARN_CONF_DIR (the cluster's client configuration).
# Data and output folders on HDFS or another store every container reaches; spark-submit uploads the jar itself.
# Optional: DEPLOY_MODE (cluster, the default: the driver runs in the YARN application master; or client),
# MNIST_JAR, MNIST_SPARK_CONF (default conf/spark-defaults.conf), SPARK_EVENT_LOG_DIR, DRY_RUN=1.
# Memory: YARN kills a container over spark.executor.memory + spark.executor.memoryOverhead; ND4J's arrays live in
# the overhead part (see conf/spark-defaults.conf).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

split_args "$@"
load_spark_conf "$spark_conf_file"
handle_help

[[ -n "${HADOOP_CONF_DIR:-}${YARN_CONF_DIR:-}" ]] \
  || fail "set HADOOP_CONF_DIR or YARN_CONF_DIR to the folder of the cluster's core-site.xml and yarn-site.xml"
MASTER=yarn
DEPLOY_MODE=${DEPLOY_MODE:-cluster}
case "$DEPLOY_MODE" in
  # One OpenMP thread in the application master too, where a cluster-mode driver averages the parameters.
  cluster) submit --conf spark.yarn.appMasterEnv.OMP_NUM_THREADS=1 ;;
  client) submit ;;
  *) fail "DEPLOY_MODE must be cluster or client, but is '$DEPLOY_MODE'" ;;
esac
