"""Executes notebooks headless with nbclient and writes the executed copies, errors included.

Usage: python execute.py [--timeout SECONDS] OUT_DIR NOTEBOOK...

Each notebook runs in a fresh python3 kernel whose working folder is the notebook's own, so it can
import mnist_run. Exits 1 when any notebook raised; its executed copy is written all the same.
"""
import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def execute(notebook: Path, out_dir: Path, timeout: int) -> bool:
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    start = time.monotonic()
    ok = True
    try:
        client.execute()
    except CellExecutionError as error:
        ok = False
        print(f"{notebook.name}: a cell raised {error.ename}: {error.evalue}", file=sys.stderr)
    except Exception as error:  # a cell timed out, or the kernel died or did not start
        ok = False
        print(f"{notebook.name}: {type(error).__name__}: {error}", file=sys.stderr)
    finally:
        nbformat.write(nb, out_dir / notebook.name)
    status = "ok" if ok else "FAILED"
    print(f"{notebook.name}: {status} in {time.monotonic() - start:.1f} s -> {out_dir / notebook.name}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=600, help="seconds one cell may run")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("notebooks", type=Path, nargs="+")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    results = [execute(notebook, args.out_dir, args.timeout) for notebook in args.notebooks]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
