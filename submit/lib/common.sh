# shellcheck shell=bash
# Shared by submit/standalone.sh, submit/yarn.sh, submit/kubernetes.sh and submit/local-cluster.sh (sourced, never
# run). Defines how every script turns its arguments and conf/spark-defaults.conf into one spark-submit command line.
#
# Arguments of the scripts: [SPARK-SUBMIT OPTIONS --] COMMAND [OPTIONS]
#   Everything before a '--' goes to spark-submit (e.g. --num-executors 8 --conf spark.x=y); the rest is the
#   mnist-spark command and its options, given to the jar unchanged.
#
# Environment read here:
#   SPARK_HOME         a Spark 3.5 installation built for Scala 2.12 (its bin/spark-submit runs the job)
#   MNIST_JAR          the application jar (default target/mnist-spark.jar, built by 'mvn package')
#   MNIST_SPARK_CONF   Spark settings file (default conf/spark-defaults.conf)
#   SPARK_EVENT_LOG_DIR  when set, Spark's event log is written there (must exist; any Hadoop path)
#   DEPLOY_MODE        client or cluster (each script has its default)
#   DRY_RUN=1          print the spark-submit command line instead of running it

# shellcheck source=project.sh
source "$(dirname "${BASH_SOURCE[0]}")/project.sh"

app_jar=${MNIST_JAR:-$built_jar}
# shellcheck disable=SC2034  # read by the scripts that source this file
spark_conf_file=${MNIST_SPARK_CONF:-$mnist_root/conf/spark-defaults.conf}

spark_opts=()   # options for spark-submit given before '--'
cli_args=()     # the mnist-spark command and its options
conf_args=()    # --conf KEY=VALUE from the settings file

# Splits the script's arguments at the first '--' into spark_opts and cli_args; the deploy mode given as a
# spark-submit option wins over DEPLOY_MODE.
split_args() {
  local arg seen_separator=false
  for arg in "$@"; do
    [[ "$arg" == -- ]] && { seen_separator=true; break; }
  done
  if $seen_separator; then
    while [[ "$1" != -- ]]; do
      spark_opts+=("$1")
      shift
    done
    shift
  fi
  cli_args=("$@")
  local i
  for ((i = 0; i < ${#spark_opts[@]}; i++)); do
    case "${spark_opts[i]}" in
      --deploy-mode) DEPLOY_MODE=${spark_opts[i + 1]:-} ;;
      --deploy-mode=*) DEPLOY_MODE=${spark_opts[i]#--deploy-mode=} ;;
    esac
  done
  return 0
}

# Reads a Java-properties-style file ("KEY VALUE" or "KEY=VALUE", '#' comments, trailing '\' continues a line) into
# conf_args as --conf KEY=VALUE.
load_spark_conf() {
  local file=$1 line entry="" key value
  [[ -f "$file" ]] || fail "Spark settings file not found: $file (set MNIST_SPARK_CONF)"
  while IFS= read -r line || [[ -n "$line" ]]; do
    line=${line#"${line%%[![:space:]]*}"}
    [[ -z "$entry" && ( -z "$line" || "$line" == \#* || "$line" == \!* ) ]] && continue
    if [[ "$line" == *\\ ]]; then
      entry+=${line%\\}
      continue
    fi
    entry+=$line
    key=${entry%%[[:space:]=:]*}
    value=${entry#"$key"}
    value=${value#"${value%%[![:space:]]*}"}
    [[ "$value" == [=:]* ]] && value=${value:1}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    conf_args+=(--conf "$key=$value")
    entry=""
  done <"$file"
}

require_spark_home() {
  : "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 installation built for Scala 2.12}"
  [[ -x "$SPARK_HOME/bin/spark-submit" ]] || fail "no executable bin/spark-submit under SPARK_HOME=$SPARK_HOME"
}

# A local jar must exist and is passed as an absolute path (a cluster-mode driver starts in another folder); a URL
# (hdfs://, s3a://, local://, https://) is passed as it is.
resolve_jar() {
  if [[ "$app_jar" != *://* ]]; then
    [[ -f "$app_jar" ]] || fail "application jar not found: $app_jar (build it with 'mvn package', or set MNIST_JAR)"
    app_jar=$(cd "$(dirname "$app_jar")" && pwd)/$(basename "$app_jar")
  fi
}

event_log_args() {
  if [[ -n "${SPARK_EVENT_LOG_DIR:-}" ]]; then
    printf '%s\n' --conf spark.eventLog.enabled=true --conf "spark.eventLog.dir=$SPARK_EVENT_LOG_DIR"
  fi
}

# Runs the jar through spark-submit on local[1], for help only: nothing is submitted to a cluster. Checks that the jar
# is there, that its main class is MAIN_CLASS and that it starts under this SPARK_HOME.
run_local_help() {
  [[ "$app_jar" == *://* || ! -f "$app_jar" ]] && app_jar=$built_jar
  resolve_jar
  require_spark_home
  "$SPARK_HOME/bin/spark-submit" --master 'local[1]' --class "$MAIN_CLASS" "${conf_args[@]}" "$app_jar" "$@"
}

# The script's usage (its header comment), then the commands of the jar when the jar and SPARK_HOME are there.
show_help() {
  print_usage
  echo
  local jar=$app_jar
  [[ "$jar" == *://* || ! -f "$jar" ]] && jar=$built_jar
  if [[ ! -f "$jar" ]]; then
    echo "(Build the jar with 'mvn package' to list its commands here.)"
  elif [[ ! -x "${SPARK_HOME:-/nonexistent}/bin/spark-submit" ]]; then
    echo "(Set SPARK_HOME to list the commands of $jar here.)"
  else
    echo "Commands of $(basename "$jar") ($MAIN_CLASS), through $SPARK_HOME/bin/spark-submit:"
    run_local_help --help
  fi
}

# Handles --help: with no command, or -h/--help first, the script's help; a command's help (train --help) comes from
# the jar on local[1]. Exits when it handled one.
handle_help() {
  if [[ ${#cli_args[@]} -eq 0 || "${cli_args[0]}" == -h || "${cli_args[0]}" == --help ]]; then
    show_help
    exit 0
  fi
  local arg
  for arg in "${cli_args[@]}"; do
    if [[ "$arg" == -h || "$arg" == --help || "$arg" == help ]]; then
      run_local_help "${cli_args[@]}"
      exit 0
    fi
  done
}

# Runs spark-submit with MASTER and DEPLOY_MODE, the settings file, the script's own settings (arguments) and the
# options given before '--', then the jar and the mnist-spark command. Does not return.
submit() {
  local command=${cli_args[0]:-}
  [[ -n "$command" ]] || fail "no mnist-spark command given (train, evaluate, predict, ...; --help lists them)"
  require_spark_home
  resolve_jar
  local events=()
  mapfile -t events < <(event_log_args)
  local cmd=("$SPARK_HOME/bin/spark-submit"
    --master "$MASTER"
    --deploy-mode "$DEPLOY_MODE"
    --name "mnist-spark $command"
    --class "$MAIN_CLASS"
    "${conf_args[@]}"
    "$@"
    "${events[@]}"
    "${spark_opts[@]}"
    "$app_jar"
    "${cli_args[@]}")
  if [[ "${DRY_RUN:-}" == 1 ]]; then
    printf '%q ' "${cmd[@]}"
    echo
    exit 0
  fi
  exec "${cmd[@]}"
}
