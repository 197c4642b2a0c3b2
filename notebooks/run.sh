#!/usr/bin/env bash
# Executes the analysts' notebooks headless against one run's output folder.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: notebooks/run.sh [--help] RUN_DIR [OUT_DIR]
       notebooks/run.sh --venv-only

Executes every notebook in notebooks/ against the mnist-spark run in RUN_DIR (an output folder
written by `train` or `evaluate`, with its _SUCCESS marker) and writes the executed copies, with
their pictures, to OUT_DIR. The figures are also saved as PNG files in OUT_DIR/figures.

  RUN_DIR      a local run folder, e.g. runs/small2 or output
  --venv-only  create or refresh the virtualenv, print its python's path, and execute nothing
               (submit/scaling.sh reads its runs' tables with it)
  OUT_DIR   where the executed notebooks go (default: RUN_DIR's sibling RUN_DIR-notebooks,
            e.g. runs/small2-notebooks)

The first call creates a virtualenv from notebooks/requirements.txt; later calls reuse it until
requirements.txt or the Python version changes. Packages come from the local wheel sources pip is
configured with (file:// indexes, find-links folders) when there are any, and from pip's usual
index otherwise or when those lack a package.

Environment:
  PYTHON            interpreter for the virtualenv (default python3; Python >= 3.11)
  NOTEBOOKS_VENV    virtualenv folder (default notebooks/.venv)
  NOTEBOOK_TIMEOUT  seconds one cell may run (default 600)

Exits 0 when every notebook ran without error, 1 when one failed (its executed copy, with the
error, is still written), 2 on wrong usage.
EOF
}

die() {
    echo "run.sh: $*" >&2
    exit 2
}

venv_only=false
case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    --venv-only) venv_only=true ;;
    "") usage >&2; exit 2 ;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $venv_only == false ]]; then
    [[ $# -le 2 ]] || die "too many arguments (see --help)"
    [[ -d "$1" ]] || die "run folder not found: $1"
    [[ -f "$1/_SUCCESS" ]] || die "$1 has no _SUCCESS: not a finished mnist-spark run"
    run_dir=$(cd "$1" && pwd)
    out_dir=${2:-${run_dir}-notebooks}
    mkdir -p "$out_dir"
    out_dir=$(cd "$out_dir" && pwd)
fi
venv=${NOTEBOOKS_VENV:-$here/.venv}
python=${PYTHON:-python3}
stamp="$venv/.requirements.sha256"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
    || die "the notebooks need Python 3.11 or later; set PYTHON to one (now: $python)"

# Prints pip arguments that install from local wheel sources only, or nothing when pip is set up
# with none (or the user chose an index explicitly): command-line options replace configured ones.
local_pip_sources() {
    "$venv/bin/python" - <<'PY'
import ast, subprocess, sys

listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"],
                        capture_output=True, text=True).stdout
conf = {}
for line in listed.splitlines():
    key, sep, value = line.partition("=")
    if sep:
        try:
            conf.setdefault(key.rsplit(".", 1)[-1], []).extend(str(ast.literal_eval(value)).split())
        except (ValueError, SyntaxError):
            pass
if "index-url" in conf or "no-index" in conf:
    sys.exit(0)
indexes = list(dict.fromkeys(u for u in conf.get("extra-index-url", []) if u.startswith("file:")))
links = list(dict.fromkeys(u for u in conf.get("find-links", []) if u.startswith("file:") or "://" not in u))
if not indexes and not links:
    sys.exit(0)
args = ["--index-url", indexes[0]] if indexes else ["--no-index"]
for url in indexes[1:]:
    args += ["--extra-index-url", url]
for link in links:
    args += ["--find-links", link]
print("\n".join(args))
PY
}

install_requirements() {
    local pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check
        -r "$here/requirements.txt")
    local sources
    mapfile -t sources < <(local_pip_sources)
    if ((${#sources[@]})); then
        echo "Installing requirements from local wheel sources (${sources[*]})"
        if "${pip[@]}" --quiet "${sources[@]}"; then
            return
        fi
        echo "The local wheel sources lack a requirement; trying pip's configured indexes" >&2
    fi
    "${pip[@]}"
}

# Create or refresh the virtualenv only when requirements.txt or the Python version changed
wanted=$({ cat "$here/requirements.txt"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] \
        && "$venv/bin/python" -c 'import nbclient, pandas, pyarrow, matplotlib, ipykernel' 2>/dev/null; then
    echo "Virtualenv $venv is up to date" >&2
else
    echo "Creating virtualenv $venv" >&2
    rm -f "$stamp"
    "$python" -m venv --clear "$venv"
    install_requirements >&2
    echo "$wanted" >"$stamp"
fi
if [[ $venv_only == true ]]; then
    echo "$venv/bin/python"
    exit 0
fi

# Execute the notebooks with the venv's own kernel, reading RUN_DIR
export MNIST_RUN="$run_dir"
export MNIST_FIGURES="$out_dir/figures"
export JUPYTER_PATH="$venv/share/jupyter"
export JUPYTER_PLATFORM_DIRS=1
echo "Executing notebooks on $run_dir into $out_dir"
shopt -s nullglob
notebooks=("$here"/*.ipynb)
((${#notebooks[@]})) || die "no notebooks in $here"
exec "$venv/bin/python" "$here/execute.py" --timeout "${NOTEBOOK_TIMEOUT:-600}" "$out_dir" "${notebooks[@]}"
