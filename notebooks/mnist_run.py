"""Reads one mnist-spark run's output folder and checks that it is finished and consistent.

The folder, file and column names come from contract.json beside this file, which the Java output contract
(io.mnistspark.output.Contract) generates; a Java test fails while the two differ.

    run = load_run()            # MNIST_RUN, or the newest finished run under output/ or runs/
    run.confusion               # 10 x 10 counts, rows = actual digit, columns = predicted digit
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
CONTRACT = json.loads((Path(__file__).resolve().parent / "contract.json").read_text())
SUCCESS = CONTRACT["files"]["success"]
RUN_JSON = CONTRACT["files"]["run_json"]
DIGITS = list(range(10))
SIDE = 28  # images are SIDE x SIDE grey values 0-255, row-major

# Each table folder and its columns, in order
COLUMNS = CONTRACT["tables"]
# Runs of `evaluate` score a saved model: they have no training history (nor rounds, nor had runs before rounds)
OPTIONAL = set(CONTRACT["training_only_tables"])


class RunError(Exception):
    """The run folder is missing, unfinished, or its tables contradict each other."""


@dataclass
class Run:
    path: Path
    info: dict                   # run.json
    metrics: pd.Series           # the one row of metrics/
    class_metrics: pd.DataFrame  # indexed by digit
    confusion: pd.DataFrame      # counts; index = actual, columns = predicted
    predictions: pd.DataFrame    # every test image, without pixels
    misclassified: pd.DataFrame  # the wrong predictions again, with pixels
    history: pd.DataFrame        # one row per epoch; empty for an evaluate run
    rounds: pd.DataFrame         # one row per averaging round; empty for an evaluate run

    def accuracy_line(self) -> str:
        """The fixed, greppable accuracy line that tests compare with metrics/."""
        return f"ACCURACY={self.metrics['accuracy']:.4f}"

    def describe(self) -> str:
        m = self.metrics
        what = f"{self.info.get('command', 'unknown')} run {self.path}"
        if pd.notna(m["epochs"]):
            what += f": {int(m['epochs'])} epoch(s) on {int(m['train_examples'])} training images"
        return (f"{what}, evaluated on {m['examples']} test images.\n"
                "Checks passed: the confusion matrix, predictions/ and misclassified/ agree with metrics/.")

    def mixups(self) -> pd.DataFrame:
        """Off-diagonal cells with at least one image, most frequent first."""
        cells = self.confusion.stack().rename("count").reset_index()
        cells = cells[(cells["actual"] != cells["predicted"]) & (cells["count"] > 0)].copy()
        cells["share_of_errors"] = cells["count"] / max(int(self.metrics["misclassified"]), 1)
        cells["share_of_actual"] = cells["count"] / self.confusion.sum(axis=1).loc[cells["actual"]].to_numpy()
        cells["pair"] = [f"{a} → {p}" for a, p in zip(cells["actual"], cells["predicted"])]
        return cells.sort_values(["count", "actual", "predicted"], ascending=[False, True, True],
                                 ignore_index=True)


def find_run(environ=None) -> Path:
    """MNIST_RUN if set; else the newest finished run: output/ itself, or a folder in output/ or runs/."""
    environ = os.environ if environ is None else environ
    if environ.get("MNIST_RUN"):
        path = Path(environ["MNIST_RUN"]).expanduser()
        if not path.is_dir():
            raise RunError(f"MNIST_RUN={environ['MNIST_RUN']}: no such folder")
        return path.resolve()
    candidates = [REPO / "output"]
    for parent in (REPO / "output", REPO / "runs"):
        if parent.is_dir():
            candidates += [p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")]
    finished = [p for p in candidates if (p / SUCCESS).is_file()]
    if not finished:
        raise RunError(f"No finished run (a folder with {SUCCESS}) in {REPO / 'output'} or {REPO / 'runs'}: "
                       "set MNIST_RUN to a run's output folder, e.g. MNIST_RUN=runs/small2")
    return max(finished, key=lambda p: (p / SUCCESS).stat().st_mtime).resolve()


def read_table(run_dir: Path, name: str) -> pd.DataFrame:
    """One Spark Parquet folder of the run as a DataFrame with the contract's columns, in order."""
    folder = run_dir / name
    if not folder.is_dir() or not any(folder.glob("*.parquet")):
        raise RunError(f"{folder}: missing or without Parquet files; every run writes {name}/")
    frame = pq.read_table(folder).to_pandas()
    missing = [c for c in COLUMNS[name] if c not in frame.columns]
    if missing:
        raise RunError(f"{folder}: columns {missing} are missing (it has {list(frame.columns)})")
    return frame[COLUMNS[name]]


def load_run(path=None) -> Run:
    """Reads the run at `path` (default: find_run()) and checks it; raises RunError when something is off."""
    run_dir = Path(path).resolve() if path else find_run()
    if not (run_dir / SUCCESS).is_file():
        raise RunError(f"{run_dir} has no {SUCCESS}: the run did not finish, or this is not a run folder")
    tables = {}
    for name in COLUMNS:
        if name in OPTIONAL and not (run_dir / name).exists():
            tables[name] = pd.DataFrame(columns=COLUMNS[name])
        else:
            tables[name] = read_table(run_dir, name)
    if len(tables["metrics"]) != 1:
        raise RunError(f"{run_dir / 'metrics'}: expected one row, found {len(tables['metrics'])}")
    info_file = run_dir / RUN_JSON
    run = Run(
        path=run_dir,
        info=json.loads(info_file.read_text()) if info_file.is_file() else {},
        metrics=tables["metrics"].astype(object).iloc[0],
        class_metrics=tables["class_metrics"].set_index("digit").sort_index(),
        confusion=confusion_matrix(run_dir, tables["confusion_matrix"]),
        predictions=tables["predictions"].sort_values("index", ignore_index=True),
        misclassified=tables["misclassified"].sort_values("index", ignore_index=True),
        history=tables["training_history"].sort_values("epoch", ignore_index=True),
        rounds=tables["training_rounds"].sort_values(["epoch", "round"], ignore_index=True),
    )
    problems = check(run)
    if problems:
        raise RunError(f"{run_dir} is inconsistent:\n  - " + "\n  - ".join(problems))
    return run


def confusion_matrix(run_dir: Path, cells: pd.DataFrame) -> pd.DataFrame:
    pairs = set(zip(cells["actual"], cells["predicted"]))
    expected = {(a, p) for a in DIGITS for p in DIGITS}
    if len(cells) != len(expected) or pairs != expected:
        raise RunError(f"{run_dir / 'confusion_matrix'}: expected one row per (actual, predicted) pair of "
                       f"digits 0-9, i.e. {len(expected)} rows, found {len(cells)}")
    matrix = cells.pivot(index="actual", columns="predicted", values="count").astype("int64")
    return matrix.loc[DIGITS, DIGITS]


def check(run: Run) -> list[str]:
    """Everything in the run that contradicts the rest, as sentences; empty when the run is consistent."""
    m, cm = run.metrics, run.confusion
    examples, correct, wrong = int(m["examples"]), int(m["correct"]), int(m["misclassified"])
    problems = []
    if int(cm.to_numpy().sum()) != examples:
        problems.append(f"confusion matrix sums to {cm.to_numpy().sum()}, metrics.examples is {examples}")
    if int(np.trace(cm.to_numpy())) != correct:
        problems.append(f"confusion matrix diagonal sums to {np.trace(cm.to_numpy())}, "
                        f"metrics.correct is {correct}")
    if examples - correct != wrong:
        problems.append(f"metrics: examples {examples} - correct {correct} != misclassified {wrong}")
    if examples and abs(m["accuracy"] - correct / examples) > 1e-9:
        problems.append(f"metrics.accuracy {m['accuracy']} != correct / examples = {correct / examples}")
    support = run.class_metrics["support"].reindex(DIGITS)
    if not np.array_equal(support.to_numpy(), cm.sum(axis=1).to_numpy()):
        problems.append("class_metrics.support differs from the confusion matrix's row sums")

    # misclassified/: one row per off-diagonal image, with a whole image
    mis = run.misclassified
    if (mis["label"] == mis["predicted"]).any():
        problems.append("misclassified/ holds rows whose prediction is right")
    if counts(mis).sub(cm).where(~np.eye(len(DIGITS), dtype=bool), 0).abs().to_numpy().sum():
        problems.append("misclassified/ rows per (actual, predicted) differ from the confusion matrix")
    if len(mis) != wrong:
        problems.append(f"misclassified/ has {len(mis)} rows, metrics.misclassified is {wrong}")
    bad_images = [i for i, px in zip(mis["index"], mis["pixels"])
                  if len(px) != SIDE * SIDE or np.min(px) < 0 or np.max(px) > 255]
    if bad_images:
        problems.append(f"misclassified/ images {bad_images[:5]} are not {SIDE * SIDE} grey values 0-255")

    # predictions/: one row per test image
    pred = run.predictions
    if len(pred) != examples or not np.array_equal(counts(pred).to_numpy(), cm.to_numpy()):
        problems.append(f"predictions/ ({len(pred)} rows) does not add up to the confusion matrix")
    wrong_in_predictions = pred.loc[pred["label"] != pred["predicted"], "index"]
    if sorted(wrong_in_predictions) != sorted(mis["index"]):
        problems.append("misclassified/ and the wrong rows of predictions/ are different images")

    if pd.notna(m["epochs"]) and len(run.history) != int(m["epochs"]):
        problems.append(f"training_history/ has {len(run.history)} epochs, metrics.epochs is {int(m['epochs'])}")
    return problems


def counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows per (label, predicted) as a 10 x 10 matrix like Run.confusion."""
    table = pd.crosstab(frame["label"], frame["predicted"]).reindex(index=DIGITS, columns=DIGITS, fill_value=0)
    table.index.name, table.columns.name = "actual", "predicted"
    return table.astype("int64")


def images(frame: pd.DataFrame) -> np.ndarray:
    """The pixels column as an array of SIDE x SIDE images."""
    if frame.empty:
        return np.zeros((0, SIDE, SIDE), dtype=np.uint8)
    return np.stack(frame["pixels"].to_numpy()).reshape(-1, SIDE, SIDE).astype(np.uint8)


def runner_up(frame: pd.DataFrame) -> pd.DataFrame:
    """The second most probable digit of each prediction and its probability."""
    if frame.empty:
        return pd.DataFrame({"runner_up": [], "runner_up_probability": []}, index=frame.index)
    probabilities = np.stack(frame["probabilities"].to_numpy())
    order = np.argsort(-probabilities, axis=1)
    second = order[:, 1]
    return pd.DataFrame({"runner_up": second, "runner_up_probability": probabilities[np.arange(len(frame)), second]},
                        index=frame.index)


def save_figure(fig, name: str) -> None:
    """Also writes the figure to $MNIST_FIGURES/<name>.png when that is set (notebooks/run.sh sets it)."""
    folder = os.environ.get("MNIST_FIGURES")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        fig.savefig(Path(folder) / f"{name}.png", dpi=120, bbox_inches="tight", facecolor="white")
