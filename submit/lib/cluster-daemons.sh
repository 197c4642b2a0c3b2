# shellcheck shell=bash
# The daemons of submit/local-cluster.sh (sourced after project.sh and cluster-runtime.sh): one Master and N Workers
# bound to 127.0.0.1, each started in a session of its own (its PID is its process group, which also holds the
# executors and drivers it launches), tracked by PID files, stopped by PID; and the Master's view of them, from its
# JSON page.
: "${mnist_root:?source submit/lib/project.sh first}" "${spark_home:?source submit/lib/cluster-runtime.sh first}"

cluster_dir=$(realpath -m "${LOCAL_CLUSTER_DIR:-$mnist_root/target/local-cluster}")
pid_dir=$cluster_dir/pids
log_dir=$cluster_dir/logs
cluster_env=$cluster_dir/cluster.env

# The cluster's shape and ports: those 'start' recorded in cluster.env, else the LOCAL_CLUSTER_* settings.
load_cluster_env() {
  if [[ -f "$cluster_env" ]]; then
    # shellcheck source=/dev/null  # written by record_cluster_env
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

record_cluster_env() {
  cat >"$cluster_env" <<EOF
workers=$workers
master_port=$master_port
master_ui_port=$master_ui_port
worker_port=$worker_port
worker_ui_port=$worker_ui_port
EOF
}

# --- processes: started in a session of their own (PID = process group), stopped by PID ---

is_alive() {
  kill -0 "$1" 2>/dev/null
}

group_alive() {
  kill -0 -- "-$1" 2>/dev/null
}

# True when every live process of the group led by PID is a Spark JVM (not a PID reused by something else). An
# executor that has exited but that its Worker has not reaped yet is a zombie with an empty command line: it is
# skipped, else 'stop' after a job left both Workers running ("PID … is no longer a Spark process").
ours() {
  local member state found=false
  for member in $(pgrep -g "$1" 2>/dev/null); do
    state=$(awk '{print $3}' "/proc/$member/stat" 2>/dev/null) || continue
    [[ "$state" == Z ]] && continue
    tr '\0' ' ' <"/proc/$member/cmdline" 2>/dev/null | grep -q 'org\.apache\.spark' || return 1
    found=true
  done
  $found
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# existing_daemons PIDFILE...: the names of the PID files that exist, in the order given.
existing_daemons() {
  local pidfile
  for pidfile in "$@"; do
    [[ -f "$pidfile" ]] && basename "$pidfile" .pid
  done
  return 0
}

# The daemons with a PID file, Workers first: the order to stop in.
daemon_names() {
  existing_daemons "$pid_dir"/worker-*.pid "$pid_dir"/master.pid
}

# The daemons with a PID file, the Master first: the order to show.
daemon_names_master_first() {
  existing_daemons "$pid_dir"/master.pid "$pid_dir"/worker-*.pid
}

# daemon_pid NAME: the PID its PID file holds.
daemon_pid() {
  cat "$pid_dir/$1.pid"
}

# Fails when a daemon of this LOCAL_CLUSTER_DIR still runs, when a port the cluster needs is taken, or without the
# python3 that reads the Master's JSON page.
check_can_start() {
  local name i port
  command -v python3 >/dev/null || fail "python3 not found: it reads the Master's JSON page (submit/lib/master_state.py)"
  for name in $(daemon_names); do
    if group_alive "$(daemon_pid "$name")" && ours "$(daemon_pid "$name")"; then
      fail "already running ($name; LOCAL_CLUSTER_DIR=$cluster_dir): see 'status', or 'stop' it first"
    fi
  done
  for port in "$master_port" "$master_ui_port"; do
    port_in_use "$port" && fail "port $port on 127.0.0.1 is in use; choose others with LOCAL_CLUSTER_*_PORT"
  done
  for ((i = 0; i < workers; i++)); do
    for port in $((worker_port + i)) $((worker_ui_port + i)); do
      port_in_use "$port" && fail "port $port on 127.0.0.1 is in use; choose others with LOCAL_CLUSTER_*_PORT"
    done
  done
  return 0
}

# Closes the file descriptors above 2 of this shell: a daemon must not keep what its caller had open, such as the
# lock of 'flock LOCK submit/local-cluster.sh start', which it would otherwise hold for as long as it runs.
close_inherited_fds() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then
      exec {fd}>&-
    fi
  done
}

# start_daemon NAME MAIN-CLASS ARGS...: a Spark daemon JVM with its output in logs/NAME.out and its PID in pids/.
start_daemon() {
  local name=$1
  shift
  (
    close_inherited_fds
    SPARK_HOME=$spark_home SPARK_CONF_DIR=$spark_home/conf SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 \
      OMP_NUM_THREADS=1 exec setsid java @"$mnist_root/conf/java17.args" "-Xmx${LOCAL_CLUSTER_DAEMON_MEMORY:-512m}" \
      -Dspark.port.maxRetries=0 -cp "$spark_home/conf:$spark_home/jars/*" "$@"
  ) >"$log_dir/$name.out" 2>&1 </dev/null &
  echo $! >"$pid_dir/$name.pid"
}

start_master() {
  echo "Starting the Master on $master_url (web UI http://127.0.0.1:$master_ui_port)"
  start_daemon master org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$master_port" --webui-port "$master_ui_port"
}

# start_worker I: worker-I, on the ports PORT + I - 1.
start_worker() {
  local i=$1
  echo "Starting worker-$i on 127.0.0.1:$((worker_port + i - 1)) (web UI http://127.0.0.1:$((worker_ui_port + i - 1)))"
  mkdir -p "$cluster_dir/work/worker-$i"
  start_daemon "worker-$i" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port $((worker_port + i - 1)) --webui-port $((worker_ui_port + i - 1)) \
    --cores "${LOCAL_CLUSTER_WORKER_CORES:-1}" --memory "${LOCAL_CLUSTER_WORKER_MEMORY:-2g}" \
    --work-dir "$cluster_dir/work/worker-$i" "$master_url"
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

# Stops every daemon with a PID file, Workers first.
stop_all() {
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

# wait_until WHAT SECONDS CHECK...: polls CHECK; on timeout, or when a daemon died, shows the logs, stops, fails.
wait_until() {
  local what=$1 seconds=$2 name i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    for name in $(daemon_names); do
      if ! is_alive "$(daemon_pid "$name")"; then
        echo "$name exited:" >&2
        tail -n 20 "$log_dir/$name.out" >&2
        stop_all
        fail "could not start"
      fi
    done
    sleep 0.5
  done
  for name in $(daemon_names); do
    echo "--- $log_dir/$name.out" >&2
    tail -n 20 "$log_dir/$name.out" >&2
  done
  stop_all
  fail "gave up waiting until $what ($seconds s)"
}

all_workers_alive() {
  [[ "$(alive_workers)" -ge "$workers" ]]
}

# --- the Master's view, from its JSON page ---

master_json() {
  curl -sf --max-time 5 "$master_json_url"
}

# master_state FACT: alive-workers, applications or drivers, read from the Master's JSON page (master_state.py).
master_state() {
  local json
  json=$(master_json) || return 1
  python3 "$mnist_root/submit/lib/master_state.py" "$1" <<<"$json"
}

alive_workers() {
  master_state alive-workers 2>/dev/null || echo 0
}

# Prints "active|completed DRIVER-ID STATE" for every driver the Master knows.
driver_states() {
  master_state drivers
}
