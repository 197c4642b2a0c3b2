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
#
#   submit/local-cluster.sh start
#   submit/local-cluster.sh submit train --train-limit 6000 --test-limit 1000 --epochs 2 --output runs/cluster-small
#   DEPLOY_MODE=cluster submit/local-cluster.sh submit train --epochs 1 --output runs/cluster-mode
#   submit/local-cluster.sh stop
#
# submit builds target/mnist-spark.jar when it is missing or older than the sources (unless MNIST_JAR is set),
# fetches MNIST into data/mnist when train, evaluate or doctor get no --data-dir, and makes relative --data-dir, --output,
# --model, --run and --conf paths absolute (executors and a cluster-mode driver start in folders of their own). In
# cluster deploy mode it judges the driver by its state on the Master (spark-submit's exit code does not tell) and
# prints the driver's output. Spark's event log of each application goes to SPARK_EVENT_LOG_DIR.
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
# start records the ports in LOCAL_CLUSTER_DIR/cluster.env; submit, status and stop read them from there.
# Exit codes: 0 done; 1 failed; 3 (status, submit) the cluster is not running; submit passes on the job's own code.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

spark_home=$root/target/spark-home
cluster_dir=$(realpath -m "${LOCAL_CLUSTER_DIR:-$root/target/local-cluster}")
pid_dir=$cluster_dir/pids
log_dir=$cluster_dir/logs
cluster_env=$cluster_dir/cluster.env

load_cluster_env() {
  if [[ -f "$cluster_env" ]]; then
    source "$cluster_env"
  fi
  workers=${workers:-${LOCAL_CLUSTER_WORKERS:-2}}
  master_port=${master_port:-${LOCAL_CLUSTER_MASTER_PORT:-7077}}
  master_ui_port=${master_ui_port:-${LOCAL_CLUSTER_MASTER_UI_PORT:-8080}}
  worker_port=${worker_port:-${LOCAL_CLUSTER_WORKER_PORT:-7078}}
  worker_ui_port=${worker_ui_port:-${LOCAL_CLUSTER_WORKER_UI_PORT:-8081}}
  master_url=spark://127.0.0.1:$master_port
  master_json_url=http://127.0.0.1:$master_ui_port/json/
}

# --- Spark's runtime: jars from Maven, a log4j2 configuration, and bin/spark-submit ---

ensure_spark_home() {
  local pom=$root/submit/spark-runtime/pom.xml stamp=$spark_home/jars/.resolved
  if [[ ! -f "$stamp" || "$pom" -nt "$stamp" ]]; then
    echo "Resolving Spark's runtime jars into $spark_home/jars (mvn)..." >&2
    rm -rf "$spark_home/jars"
    mvn -B -q -f "$pom" dependency:copy-dependencies -DoutputDirectory="$spark_home/jars" >&2
    touch "$stamp"
  fi
  mkdir -p "$spark_home/bin" "$spark_home/conf"
  install -m 755 "$root/submit/lib/spark-submit" "$spark_home/bin/spark-submit"
  # First on every classpath of the cluster (daemons, executors, drivers): the Master's and Workers' own messages at
  # INFO in their logs, the rest of Spark and DL4J at WARN, mnist-spark's progress at INFO.
  cat >"$spark_home/conf/log4j2.properties" <<'EOF'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
logger.mnist.name = io.mnistspark
logger.mnist.level = info
logger.master.name = org.apache.spark.deploy.master
logger.master.level = info
logger.worker.name = org.apache.spark.deploy.worker
logger.worker.level = info
EOF
  # No core-site.xml: the default file system stays the local disk (file:///), which every executor on this machine
  # shares. (Earlier versions wrote one that presented it as viewfs, for dl4j-spark's Export approach, which mnist-spark
  # no longer uses.)
  rm -f "$spark_home/conf/core-site.xml"
}

# --- processes: started in a session of their own (PID = process group), stopped by PID ---

is_alive() {
  kill -0 "$1" 2>/dev/null
}

group_alive() {
  kill -0 -- "-$1" 2>/dev/null
}

# True when every process of the group led by PID is a Spark JVM (not a PID reused by something else).
ours() {
  local member found=false
  for member in $(pgrep -g "$1" 2>/dev/null); do
    tr '\0' ' ' <"/proc/$member/cmdline" 2>/dev/null | grep -q 'org\.apache\.spark' || return 1
    found=true
  done
  $found
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_daemon NAME MAIN-CLASS ARGS...: a Spark daemon JVM with its output in logs/NAME.out and its PID in pids/.
start_daemon() {
  local name=$1
  shift
  SPARK_HOME=$spark_home SPARK_CONF_DIR=$spark_home/conf SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 \
    OMP_NUM_THREADS=1 setsid java @"$root/conf/java17.args" "-Xmx${LOCAL_CLUSTER_DAEMON_MEMORY:-512m}" \
    -Dspark.port.maxRetries=0 -cp "$spark_home/conf:$spark_home/jars/*" "$@" \
    >"$log_dir/$name.out" 2>&1 </dev/null &
  echo $! >"$pid_dir/$name.pid"
}

# stop_daemon NAME: SIGTERM to its process group (the daemon and the executors and drivers it launched), SIGKILL
# after 30 seconds.
stop_daemon() {
  local name=$1 pidfile=$pid_dir/$1.pid pid i
  [[ -f "$pidfile" ]] || return 0
  pid=$(<"$pidfile")
  if group_alive "$pid"; then
    if ! ours "$pid"; then
      echo "$name: PID $pid is no longer a Spark process; leaving it alone" >&2
    else
      echo "Stopping $name (PID $pid)"
      kill -TERM -- "-$pid" 2>/dev/null || true
      for ((i = 0; i < 60; i++)); do
        group_alive "$pid" || break
        sleep 0.5
      done
      if group_alive "$pid"; then
        echo "$name (PID $pid) still runs after 30 s: SIGKILL" >&2
        kill -KILL -- "-$pid" 2>/dev/null || true
        sleep 1
      fi
    fi
  fi
  rm -f "$pidfile"
}

# The daemons with a PID file: Workers first (the order to stop in), or the Master first with 'master-first'.
daemon_names() {
  local pidfile files=("$pid_dir"/worker-*.pid "$pid_dir"/master.pid)
  [[ "${1:-}" == master-first ]] && files=("$pid_dir"/master.pid "$pid_dir"/worker-*.pid)
  for pidfile in "${files[@]}"; do
    [[ -f "$pidfile" ]] && basename "$pidfile" .pid
  done
  return 0
}

# --- the Master's view, from its JSON page ---

master_json() {
  curl -sf --max-time 5 "$master_json_url"
}

alive_workers() {
  master_json 2>/dev/null | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || echo 0
}

# Prints "active|completed DRIVER-ID STATE" for every driver the Master knows.
driver_states() {
  master_json | awk -F'"' '
    /"activedrivers"/ { section = "active" }
    /"completeddrivers"/ { section = "completed" }
    /"(workers|activeapps|completedapps|status)" *:/ { section = "" }
    section != "" && $2 == "id" { id = $4 }
    section != "" && $2 == "state" && id != "" { print section, id, $4; id = "" }'
}

# --- commands ---

cmd_start() {
  load_cluster_env
  local name
  for name in $(daemon_names); do
    if group_alive "$(<"$pid_dir/$name.pid")" && ours "$(<"$pid_dir/$name.pid")"; then
      fail "already running ($name; LOCAL_CLUSTER_DIR=$cluster_dir): see 'status', or 'stop' it first"
    fi
  done
  local i port
  for port in "$master_port" "$master_ui_port"; do
    port_in_use "$port" && fail "port $port on 127.0.0.1 is in use; choose others with LOCAL_CLUSTER_*_PORT"
  done
  for ((i = 0; i < workers; i++)); do
    for port in $((worker_port + i)) $((worker_ui_port + i)); do
      port_in_use "$port" && fail "port $port on 127.0.0.1 is in use; choose others with LOCAL_CLUSTER_*_PORT"
    done
  done
  ensure_spark_home
  rm -rf "$cluster_dir/work" "$pid_dir"
  mkdir -p "$pid_dir" "$log_dir" "$cluster_dir/work" "$cluster_dir/events"
  cat >"$cluster_env" <<EOF
workers=$workers
master_port=$master_port
master_ui_port=$master_ui_port
worker_port=$worker_port
worker_ui_port=$worker_ui_port
EOF

  echo "Starting the Master on $master_url (web UI http://127.0.0.1:$master_ui_port)"
  start_daemon master org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$master_port" --webui-port "$master_ui_port"
  wait_until "the Master answers" 60 master_json
  for ((i = 1; i <= workers; i++)); do
    start_worker "$i"
  done
  wait_until "$workers Workers are ALIVE" 90 all_workers_alive
  cmd_status
}

start_worker() {
  local i=$1
  echo "Starting worker-$i on 127.0.0.1:$((worker_port + i - 1)) (web UI http://127.0.0.1:$((worker_ui_port + i - 1)))"
  mkdir -p "$cluster_dir/work/worker-$i"
  start_daemon "worker-$i" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port $((worker_port + i - 1)) --webui-port $((worker_ui_port + i - 1)) \
    --cores "${LOCAL_CLUSTER_WORKER_CORES:-1}" --memory "${LOCAL_CLUSTER_WORKER_MEMORY:-2g}" \
    --work-dir "$cluster_dir/work/worker-$i" "$master_url"
}

# Starts worker-N again once it died or was killed (the worker-kill test repeats a kill that hit no task with it).
cmd_restart_worker() {
  load_cluster_env
  local i=${1:-}
  [[ "$i" =~ ^[0-9]+$ ]] && ((i >= 1 && i <= workers)) || fail "restart-worker N: N is 1 to $workers, not '$i'"
  if [[ -f "$pid_dir/worker-$i.pid" ]] && is_alive "$(<"$pid_dir/worker-$i.pid")"; then
    fail "worker-$i is running"
  fi
  start_worker "$i"
  wait_until "$workers Workers are ALIVE" 90 all_workers_alive
}

all_workers_alive() {
  [[ "$(alive_workers)" -ge "$workers" ]]
}

# wait_until WHAT SECONDS CHECK...: polls CHECK; on timeout, or when a daemon died, shows the logs, stops, fails.
wait_until() {
  local what=$1 seconds=$2 name i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    for name in $(daemon_names); do
      is_alive "$(<"$pid_dir/$name.pid")" || { echo "$name exited:" >&2; tail -n 20 "$log_dir/$name.out" >&2; cmd_stop; fail "could not start"; }
    done
    sleep 0.5
  done
  for name in $(daemon_names); do
    echo "--- $log_dir/$name.out" >&2
    tail -n 20 "$log_dir/$name.out" >&2
  done
  cmd_stop
  fail "gave up waiting until $what ($seconds s)"
}

cmd_stop() {
  local name stopped=false
  for name in $(daemon_names); do
    stop_daemon "$name"
    stopped=true
  done
  # Keep the logs, drop the copies of the application jar each executor and driver fetched
  [[ -d "$cluster_dir/work" ]] && find "$cluster_dir/work" -name '*.jar' -type f -delete
  if $stopped; then
    echo "Stopped (logs in $log_dir and $cluster_dir/work)"
  else
    echo "Not running"
  fi
}

cmd_status() {
  load_cluster_env
  local name pid running=0 total=0 member
  for name in $(daemon_names master-first); do
    total=$((total + 1))
    pid=$(<"$pid_dir/$name.pid")
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
    apps=$(master_json | grep -c '"id" *: *"app-' || true)
    drivers=$(driver_states | awk '{print $2 " " $3}' | paste -sd, - || true)
    echo "Applications seen: $apps; drivers (cluster deploy mode): ${drivers:-none}"
  fi
  [[ $running -eq $total ]] || return 1
}

# Paths of options that name files or folders become absolute: executors and a cluster-mode driver start in folders
# of their own on this machine. Hadoop paths become file: URIs; --conf, and fetch-data's folder, are plain local
# paths.
absolute_path_options() {
  local i arg opt
  for ((i = 0; i < ${#cli_args[@]}; i++)); do
    arg=${cli_args[i]}
    for opt in --data-dir --output --model --run --conf; do
      if [[ "$arg" == "$opt" && $((i + 1)) -lt ${#cli_args[@]} ]]; then
        cli_args[i + 1]=$(absolute "$opt" "${cli_args[i + 1]}")
      elif [[ "$arg" == "$opt="* ]]; then
        cli_args[i]=$opt=$(absolute "$opt" "${arg#"$opt="}")
      fi
    done
  done
}

# absolute OPTION PATH: PATH made absolute (relative to where the script was called from); URIs stay as they are.
absolute() {
  local opt=$1 path=$2
  if [[ "$path" == *:/* ]]; then
    echo "$path"
  elif [[ "$opt" == --conf || "${cli_args[0]}" == fetch-data ]]; then
    realpath -m -- "$path"
  else
    echo "file:$(realpath -m -- "$path")"
  fi
}

has_option() {
  local arg opt=$1
  for arg in "${cli_args[@]}"; do
    [[ "$arg" == "$opt" || "$arg" == "$opt="* ]] && return 0
  done
  return 1
}

build_jar_if_needed() {
  [[ -n "${MNIST_JAR:-}" ]] && return 0
  local jar=$root/target/$JAR_NAME
  if [[ -f "$jar" && -z "$(find "$root/src/main" "$root/pom.xml" "$root/conf/mnist-cnn.properties" -newer "$jar" \
      -print -quit)" ]]; then
    return 0
  fi
  echo "Building $jar (mvn package)..." >&2
  mvn -B -q -f "$root/pom.xml" package -DskipTests >&2
}

# train, evaluate and doctor read data/mnist unless told otherwise: fetch it on first use.
default_data_dir() {
  local command=${cli_args[0]}
  [[ "$command" == train || "$command" == evaluate || "$command" == doctor ]] || return 0
  if has_option --data-dir || has_option --conf; then
    return 0
  fi
  local data=$root/data/mnist name complete=true
  for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [[ -f "$data/$name" || -f "$data/$name.gz" ]] || complete=false
  done
  if ! $complete; then
    SPARK_HOME=$spark_home "$spark_home/bin/spark-submit" --master 'local[1]' --class "$MAIN_CLASS" \
      "$app_jar" fetch-data --data-dir "$data" >&2
  fi
  cli_args+=(--data-dir "file:$data")
}

cmd_submit() {
  load_cluster_env
  if ! [[ -f "$pid_dir/master.pid" ]] || ! is_alive "$(<"$pid_dir/master.pid")"; then
    echo "local-cluster: not running (LOCAL_CLUSTER_DIR=$cluster_dir); start it with: submit/local-cluster.sh start" >&2
    return 3
  fi
  split_args "$@"
  [[ ${#cli_args[@]} -gt 0 ]] || fail "submit needs an mnist-spark command: submit [SPARK-SUBMIT OPTIONS --] COMMAND ..."
  ensure_spark_home
  build_jar_if_needed
  app_jar=${MNIST_JAR:-$root/target/$JAR_NAME}
  default_data_dir
  absolute_path_options
  local events=${SPARK_EVENT_LOG_DIR:-$cluster_dir/events}
  if [[ "$events" != *:/* ]]; then
    mkdir -p "$events"
    events=file:$(realpath -m -- "$events")
  fi
  local mode=${DEPLOY_MODE:-client}
  local standalone=(env MASTER="$master_url" SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1
    SPARK_EVENT_LOG_DIR="$events" DEPLOY_MODE="$mode" MNIST_JAR="$app_jar"
    "$root/submit/standalone.sh" "${spark_opts[@]}" -- "${cli_args[@]}")
  if [[ "$mode" != cluster || "${DRY_RUN:-}" == 1 ]]; then
    exec "${standalone[@]}"
  fi
  submit_cluster_mode "${standalone[@]}"
}

# Cluster deploy mode: the driver runs on a Worker, and spark-submit's exit code says nothing about it.
submit_cluster_mode() {
  local before driver state status=0 i
  before=$(driver_states | awk '{print $2}')
  "$@" || status=$?
  driver=$(driver_states | awk '{print $2}' | grep -vxF -e "$before" -e '' | tail -n 1 || true)
  if [[ -z "$driver" ]]; then
    echo "local-cluster: no driver was registered with the Master (spark-submit exit code $status)" >&2
    return 1
  fi
  for ((i = 0; i < 600; i++)); do
    state=$(driver_states | awk -v d="$driver" '$2 == d && $1 == "completed" {print $3}')
    [[ -n "$state" ]] && break
    sleep 1
  done
  local dir
  dir=$(find "$cluster_dir/work" -maxdepth 2 -type d -name "$driver" -print -quit)
  [[ -n "$dir" && -f "$dir/stdout" ]] && cat "$dir/stdout"
  echo "Driver $driver: ${state:-still running after 10 minutes} (output in ${dir:-?})"
  if [[ "$state" != FINISHED ]]; then
    [[ -n "$dir" && -f "$dir/stderr" ]] && tail -n 30 "$dir/stderr" >&2
    return 1
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) load_cluster_env; cmd_stop ;;
  status) cmd_status ;;
  submit) shift; cmd_submit "$@" ;;
  restart-worker) shift; cmd_restart_worker "$@" ;;
  -h | --help | help | "")
    load_spark_conf "$spark_conf_file"
    # With a built jar, list its commands through this cluster's own Spark
    if [[ -z "${MNIST_JAR:-}" && -f "$root/target/$JAR_NAME" ]]; then
      ensure_spark_home
      export SPARK_HOME=$spark_home
    fi
    show_help ;;
  *) fail "unknown command '$1': start, submit, status, stop, restart-worker or --help" ;;
esac
