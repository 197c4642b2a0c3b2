# shellcheck shell=bash
# What submit/local-cluster.sh submit does to a command before and after submit/standalone.sh runs it (sourced after
# common.sh, cluster-runtime.sh and cluster-daemons.sh): MNIST fetched on first use, paths made absolute, and in
# cluster deploy mode the driver followed on the Master. Works on cli_args, the mnist-spark command and its options.
: "${mnist_data_dir:?source submit/lib/project.sh first}" "${app_jar:?source submit/lib/common.sh first}" \
  "${cluster_dir:?source submit/lib/cluster-daemons.sh first}"

# The options whose value names a file or folder.
PATH_OPTIONS=(--data-dir --output --model --run --conf)
# predict's other options that take a value (as in cli/PredictCommand and its mixins): what is neither these, nor
# their values, nor a flag is a positional CSV input, a path too.
PREDICT_VALUE_OPTIONS=(--master)

# train, evaluate and doctor read data/mnist unless told otherwise: fetch it on first use, name it for the job.
default_data_dir() {
  reads_default_data "${cli_args[@]}" || return 0
  if ! mnist_data_complete "$mnist_data_dir"; then
    spark_home_submit --master 'local[1]' --class "$MAIN_CLASS" "$app_jar" fetch-data --data-dir "$mnist_data_dir" >&2
  fi
  cli_args+=(--data-dir "file:$mnist_data_dir")
}

# Paths that name files or folders become absolute: executors and a cluster-mode driver start in folders of their
# own on this machine. These are the values of PATH_OPTIONS (--opt VALUE or --opt=VALUE) and predict's positional
# inputs (everything after a '--' included).
absolute_path_options() {
  local command=${cli_args[0]:-} i arg opt positional_only=false
  for ((i = 1; i < ${#cli_args[@]}; i++)); do
    arg=${cli_args[i]}
    if $positional_only; then
      cli_args[i]=$(absolute "$command" "$arg")
      continue
    fi
    for opt in "${PATH_OPTIONS[@]}"; do
      if [[ "$arg" == "$opt" && $((i + 1)) -lt ${#cli_args[@]} ]]; then
        i=$((i + 1))
        cli_args[i]=$(absolute "$opt" "${cli_args[i]}")
        continue 2
      elif [[ "$arg" == "$opt="* ]]; then
        cli_args[i]=$opt=$(absolute "$opt" "${arg#"$opt="}")
        continue 2
      fi
    done
    [[ "$command" == predict ]] || continue
    if [[ "$arg" == -- ]]; then
      positional_only=true
    elif [[ " ${PREDICT_VALUE_OPTIONS[*]} " == *" $arg "* ]]; then
      i=$((i + 1))
    elif [[ "$arg" != -* ]]; then
      cli_args[i]=$(absolute "$command" "$arg")
    fi
  done
}

# absolute OPTION-OR-COMMAND PATH: PATH made absolute (relative to where the script was called from); URIs stay as
# they are. Hadoop paths become file: URIs; --conf, and fetch-data's folder, are plain local paths.
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

# The folder of the Spark event logs: SPARK_EVENT_LOG_DIR, else the cluster's events/; a local one is created.
event_log_dir() {
  local events=${SPARK_EVENT_LOG_DIR:-$cluster_dir/events}
  if [[ "$events" != *:/* ]]; then
    mkdir -p "$events"
    events=file:$(realpath -m -- "$events")
  fi
  echo "$events"
}

# submit_cluster_mode COMMAND...: runs the spark-submit COMMAND of cluster deploy mode, where the driver runs on a
# Worker and spark-submit's exit code says nothing about it; judges the driver by its state on the Master instead,
# and prints its output.
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
