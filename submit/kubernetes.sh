#!/usr/bin/env bash
# Runs an mnist-spark command on Kubernetes with spark-submit (the driver runs in a pod).
#
#   MASTER=k8s://https://API-SERVER:6443 CONTAINER_IMAGE=IMAGE submit/kubernetes.sh [SPARK-SUBMIT OPTIONS --] COMMAND [OPTIONS]
#
#   MASTER=k8s://https://k8s.example:6443 CONTAINER_IMAGE=registry.example/spark:3.5.9-java17 \
#     K8S_UPLOAD_PATH=s3a://bucket/spark-uploads submit/kubernetes.sh train --data-dir s3a://bucket/mnist \
#     --output s3a://bucket/runs/r1
#   MNIST_JAR=local:///opt/mnist-spark/mnist-spark.jar ... submit/kubernetes.sh train ...   (jar inside the image)
#   submit/kubernetes.sh --help          this text and the jar's commands;  submit/kubernetes.sh train --help
#
# Required: MASTER (k8s://https://HOST:PORT), CONTAINER_IMAGE (a Spark 3.5 image for Scala 2.12 and Java 17),
# SPARK_HOME (Spark 3.5, Scala 2.12), and either K8S_UPLOAD_PATH (where spark-submit uploads the local jar: a Hadoop
# path the pods read) or MNIST_JAR=local:///PATH-IN-IMAGE. Data and output folders must be reachable from the pods.
# Optional: K8S_NAMESPACE (default default), K8S_SERVICE_ACCOUNT (default spark: may create executor pods),
# MNIST_JAR, MNIST_SPARK_CONF (default conf/spark-defaults.conf), SPARK_EVENT_LOG_DIR, DRY_RUN=1.
# Memory: a pod's limit is memory + memoryOverhead; ND4J's arrays live in the overhead part (conf/spark-defaults.conf).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

split_args "$@"
load_spark_conf "$spark_conf_file"
handle_help

: "${MASTER:?set MASTER to k8s://https://API-SERVER:PORT}"
[[ "$MASTER" == k8s://* ]] || fail "MASTER must be a k8s://https://HOST:PORT URL, but is '$MASTER'"
: "${CONTAINER_IMAGE:?set CONTAINER_IMAGE to a Spark 3.5 (Scala 2.12, Java 17) image the cluster can pull}"
DEPLOY_MODE=${DEPLOY_MODE:-cluster}
[[ "$DEPLOY_MODE" == cluster ]] || fail "on Kubernetes submit/kubernetes.sh runs the driver in a pod: DEPLOY_MODE=cluster"
k8s_conf=(
  --conf "spark.kubernetes.container.image=$CONTAINER_IMAGE"
  --conf "spark.kubernetes.namespace=${K8S_NAMESPACE:-default}"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${K8S_SERVICE_ACCOUNT:-spark}"
  # One OpenMP thread in the driver pod too, where the parameters are averaged.
  --conf spark.kubernetes.driverEnv.OMP_NUM_THREADS=1
)
if [[ "$app_jar" != local://* ]]; then
  : "${K8S_UPLOAD_PATH:?set K8S_UPLOAD_PATH (e.g. s3a://bucket/spark-uploads) for the local jar, or MNIST_JAR=local:///PATH-IN-IMAGE}"
  k8s_conf+=(--conf "spark.kubernetes.file.upload.path=$K8S_UPLOAD_PATH")
fi
submit "${k8s_conf[@]}"
