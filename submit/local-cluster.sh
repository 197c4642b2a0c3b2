#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, for trying the cluster path without a Spark install: one Master and
# N Workers bound to 127.0.0.1 only, run from the Spark jars Maven resolves (target/spark-home), tracked by PID files.
#
#   submit/local-cluster.sh start       start the Master and the Workers; returns once every Worker is ALIVE
#   submit/local-cluster.sh submit [SPARK-SUBMIT OPTIONS --] COMMAND [OPTIONS]
#                                        run an mnist-spark command on it, through submit/standalone.sh
#   submit/local-cluster.sh status      what runs: PIDs, ports, web UIs, Workers, executors, applications, drivers
#   submit/local-cluster.sh stop        stop everything it started, by PID (with the executors and drivers)
#   submit/local-cluster.sh restart-worker N
#                                        start worker-N again after it died or was killed
#   submit/local-cluster.sh spark-home  assemble the Spark runtime only and print its folder (a SPARK_HOME for
#                                        submit/yarn.sh or submit/kubernetes.sh; Spark's YARN module is in it)
#
#   submit/local-cluster.sh start
#   submit/local-cluster.sh submit train --train-limit 6000 --test-limit 1000 --epochs 2 --output runs/cluster-small
#   DEPLOY_MODE=cluster submit/local-cluster.sh submit train --epochs 1 --output runs/cluster-mode
#   submit/local-cluster.sh stop
#
# submit builds target/mnist-spark.jar when it is missing or older than the sources (unless MNIST_JAR is set),
# fetches MNIST into data/mnist when train, evaluate or doctor get no --data-dir, and makes relative --data-dir, --output,
# --model, --run and --conf paths, and predict's CSV inputs, absolute (executors and a cluster-mode driver start in
# folders of their own). In cluster deploy mode it judges the driver by its state on the Master (spark-submit's exit
# code does not tell) and prints the driver's output. Spark's event log of each application goes to
# SPARK_EVENT_LOG_DIR.
#
# Environment, [default]:
#   LOCAL_CLUSTER_DIR             PID files, logs, Worker folders, event logs  [target/local-cluster]
#   LOCAL_CLUSTER_WORKERS         number of Workers  [2]
#   LOCAL_CLUSTER_WORKER_CORES    cores each Worker offers  [1]
#   LOCAL_CLUSTER_WORKER_MEMORY   memory each Worker offers to executors (and a cluster-mode driver)  [2g]
#   LOCAL_CLUSTER_DAEMON_MEMORY   heap of the Master and of each Worker  [512m]
#   LOCAL_CLUSTER_MASTER_PORT [7077]   LOCAL_CLUSTER_MASTER_UI_PORT [8080]
#   LOCAL_CLUSTER_WORKER_PORT [7078]   LOCAL_CLUSTER_WORKER_UI_PORT [8081]   (Worker i listens on PORT + i - 1)
#   DEPLOY_MODE [client]   SPARK_EVENT_LOG_DIR [LOCAL_CLUSTER_DIR/events]   MNIST_JAR   MNIST_SPARK_CONF   DRY_RUN=1
# start records the ports in LOCAL_CLUSTER_DIR/cluster.env; submit, status and stop read them from there. Needs bash,
# java, curl and python3 (which reads the Master's JSON page).
# Exit codes: 0 done; 1 failed; 3 (status, submit) the cluster is not running; submit passes on the job's own code.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# Spark's runtime (target/spark-home), the daemons, and what submit does around submit/standalone.sh
# shellcheck source=lib/cluster-runtime.sh
source "$here/lib/cluster-runtime.sh"
# shellcheck source=lib/cluster-daemons.sh
source "$here/lib/cluster-daemons.sh"
# shellcheck source=lib/cluster-submit.sh
source "$here/lib/cluster-submit.sh"

cmd_start() {
  load_cluster_env
  check_can_start
  ensure_spark_home
  rm -rf "$cluster_dir/work" "$pid_dir"
  mkdir -p "$pid_dir" "$log_dir" "$cluster_dir/work" "$cluster_dir/events"
  record_cluster_env
  start_master
  wait_until "the Master answers" 60 master_json
  local i
  for ((i = 1; i <= workers; i++)); do
    start_worker "$i"
  done
  wait_until "$workers Workers are ALIVE" 90 all_workers_alive
  cmd_status
}

# Starts worker-N again once it died or was killed (the worker-kill test repeats a kill that hit no task with it).
cmd_restart_worker() {
  load_cluster_env
  local i=${1:-}
  if ! [[ "$i" =~ ^[0-9]+$ ]] || ((i < 1 || i > workers)); then
    fail "restart-worker N: N is 1 to $workers, not '$i'"
  fi
  if [[ -f "$pid_dir/worker-$i.pid" ]] && is_alive "$(daemon_pid "worker-$i")"; then
    fail "worker-$i is running"
  fi
  start_worker "$i"
  wait_until "$workers Workers are ALIVE" 90 all_workers_alive
}

cmd_status() {
  load_cluster_env
  local name pid running=0 total=0 member
  for name in $(daemon_names_master_first); do
    total=$((total + 1))
    pid=$(daemon_pid "$name")
    if is_alive "$pid"; then
      running=$((running + 1))
      if [[ "$name" == master ]]; then
        printf '%-9s PID %-7s %s  web UI http://127.0.0.1:%s\n' "$name" "$pid" "$master_url" "$master_ui_port"
      else
        local n=${name#worker-}
        printf '%-9s PID %-7s 127.0.0.1:%s  web UI http://127.0.0.1:%s\n' "$name" "$pid" \
          $((worker_port + n - 1)) $((worker_ui_port + n - 1))
      fi
    else
      printf '%-9s PID %-7s not running\n' "$name" "$pid"
    fi
    # Executors and cluster-mode drivers run in the daemon's process group
    for member in $(pgrep -g "$pid" 2>/dev/null); do
      [[ "$member" == "$pid" ]] && continue
      printf '  %-7s PID %-7s %s\n' "" "$member" \
        "$(tr '\0' '\n' <"/proc/$member/cmdline" 2>/dev/null | grep -m1 -E '^org\.apache\.spark\.' || echo '(exiting)')"
    done
  done
  if [[ $total -eq 0 ]]; then
    echo "Not running (LOCAL_CLUSTER_DIR=$cluster_dir)"
    return 3
  fi
  if master_json >/dev/null 2>&1; then
    echo "Workers ALIVE: $(alive_workers) of $workers"
    local apps drivers
    apps=$(master_state applications || true)
    drivers=$(driver_states | awk '{print $2 " " $3}' | paste -sd, - || true)
    echo "Applications seen: ${apps:-?}; drivers (cluster deploy mode): ${drivers:-none}"
  fi
  [[ $running -eq $total ]] || return 1
}

cmd_submit() {
  load_cluster_env
  if ! [[ -f "$pid_dir/master.pid" ]] || ! is_alive "$(daemon_pid master)"; then
    echo "local-cluster: not running (LOCAL_CLUSTER_DIR=$cluster_dir); start it with: submit/local-cluster.sh start" >&2
    return 3
  fi
  split_args "$@"
  [[ ${#cli_args[@]} -gt 0 ]] || fail "submit needs an mnist-spark command: submit [SPARK-SUBMIT OPTIONS --] COMMAND ..."
  ensure_spark_home
  [[ -n "${MNIST_JAR:-}" ]] || build_jar_if_needed
  app_jar=${MNIST_JAR:-$built_jar}
  default_data_dir
  absolute_path_options
  local mode=${DEPLOY_MODE:-client}
  local standalone=(env MASTER="$master_url" SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1
    SPARK_EVENT_LOG_DIR="$(event_log_dir)" DEPLOY_MODE="$mode" MNIST_JAR="$app_jar"
    "$mnist_root/submit/standalone.sh" "${spark_opts[@]}" -- "${cli_args[@]}")
  if [[ "$mode" != cluster || "${DRY_RUN:-}" == 1 ]]; then
    exec "${standalone[@]}"
  fi
  submit_cluster_mode "${standalone[@]}"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) load_cluster_env; stop_all ;;
  status) cmd_status ;;
  submit) shift; cmd_submit "$@" ;;
  restart-worker) shift; cmd_restart_worker "$@" ;;
  spark-home) ensure_spark_home; echo "$spark_home" ;;
  -h | --help | help | "")
    load_spark_conf "$spark_conf_file"
    # With a built jar, list its commands through this cluster's own Spark
    if [[ -z "${MNIST_JAR:-}" && -f "$built_jar" ]]; then
      ensure_spark_home
      export SPARK_HOME=$spark_home
    fi
    show_help ;;
  *) fail "unknown command '$1': start, submit, status, stop, restart-worker, spark-home or --help" ;;
esac
