#!/usr/bin/env bash
# Runs an mnist-spark command on a Spark standalone cluster with spark-submit.
#
#   MASTER=spark://HOST:7077 submit/standalone.sh [SPARK-SUBMIT OPTIONS --] COMMAND [OPTIONS]
#
#   MASTER=spark://m1:7077 submit/standalone.sh train --data-dir hdfs:///mnist --output hdfs:///runs/r1
#   MASTER=spark://m1:7077 DEPLOY_MODE=cluster MNIST_JAR=hdfs:///jars/mnist-spark.jar \
#     submit/standalone.sh --total-executor-cores 8 -- train --data-dir hdfs:///mnist --output hdfs:///runs/r2
#   submit/standalone.sh --help          this text and the jar's commands;  submit/standalone.sh train --help
#
# Required: MASTER (spark://HOST:PORT), SPARK_HOME (Spark 3.5, Scala 2.12). The data and output folders must be
# paths every executor reaches (HDFS, S3, a shared mount), the jar too in cluster deploy mode.
# Optional: DEPLOY_MODE (client, the default, or cluster: the driver runs on a worker, and spark-submit waits for
# it to finish), MNIST_JAR, MNIST_SPARK_CONF (default conf/spark-defaults.conf), SPARK_EVENT_LOG_DIR, DRY_RUN=1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

split_args "$@"
load_spark_conf "$spark_conf_file"
handle_help

: "${MASTER:?set MASTER to the standalone master URL, e.g. spark://HOST:7077}"
[[ "$MASTER" == spark://* ]] || fail "MASTER must be a spark://HOST:PORT URL, but is '$MASTER'"
DEPLOY_MODE=${DEPLOY_MODE:-client}
case "$DEPLOY_MODE" in
  client) submit ;;
  # Without waitAppCompletion spark-submit returns as soon as the driver is accepted.
  cluster) submit --conf spark.standalone.submit.waitAppCompletion=true ;;
  *) fail "DEPLOY_MODE must be client or cluster, but is '$DEPLOY_MODE'" ;;
esac
