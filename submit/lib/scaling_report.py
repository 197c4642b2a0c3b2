#!/usr/bin/env python3
"""Reads the runs of submit/scaling.sh and reports the scaling study.

Usage: scaling_report.py --out DIR [--docs DOCS_DIR] RUN...

Each RUN is a finished `train` output folder. Prints one row per run, writes scaling.json and scaling.png into DIR,
and with --docs rewrites the generated part of DOCS_DIR/scaling.md and DOCS_DIR/images/scaling.png.
"""
import argparse
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "notebooks"))
import mnist_run  # noqa: E402  the output contract's reader, shared with the notebooks and the benchmark

# run.json's keys and the configuration's, generated from the Java contract
RUN_JSON, CONFIG_KEYS = mnist_run.CONTRACT["run_json"], mnist_run.CONTRACT["config_keys"]

# The model of a round on N real machines, one worker each (said in the report):
PARAMETERS = 175_224          # the reference CNN's parameters
STATE_BYTES = PARAMETERS * 3 * 4  # float32 parameters and Adam's two moments, sent each way every round
BANDWIDTH = 125e6             # bytes/s: 1 Gbit/s
MODEL = ("round on N machines = the slowest worker's fitting, de-time-shared (x min(1, cores/N)), + the measured "
         "averaging cost of a round here + (N + 1) x {:.1f} MB over the driver's 1 Gbit/s (every worker's result "
         "collected, one broadcast out)").format(STATE_BYTES / 1e6)
BEGIN, END = "<!-- scaling:begin -->", "<!-- scaling:end -->"


def instant(text):
    """An ISO-8601 instant of run.json (nanoseconds, Z) as seconds since the epoch."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole).replace(tzinfo=timezone.utc).timestamp() + float("0." + (fraction or "0"))


def wall_seconds(info):
    """The job's wall time from its attempts (JVM start-up and the build excluded); None when resumed."""
    attempts = info.get(RUN_JSON["ATTEMPTS"]) or []
    if len(attempts) != 1 or not attempts[0].get(RUN_JSON["ENDED"]):
        return None
    return instant(attempts[0][RUN_JSON["ENDED"]]) - instant(attempts[0][RUN_JSON["STARTED"]])


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else float("nan")


def summarise(run, cores):
    loaded = mnist_run.load_run(run)
    info, metrics, history, rounds = loaded.info, loaded.metrics, loaded.history, loaded.rounds
    derived = info.get(RUN_JSON["DERIVED"], {})
    workers = int(derived.get(RUN_JSON["WORKERS"], rounds["workers"].iloc[0]))
    epochs = int(metrics["epochs"])
    last = history.iloc[-1]
    fit = median(rounds["fit_seconds"]) * min(1.0, cores / workers)
    averaging = median(rounds["averaging_seconds"])
    network = (workers + 1) * STATE_BYTES / BANDWIDTH
    rounds_per_epoch = len(rounds) / epochs
    return {
        "run": str(run),
        "workers": workers,
        "outer_optimizer": info[RUN_JSON["CONFIG"]][CONFIG_KEYS["OUTER_OPTIMIZER"]].lower(),
        "batch_size_per_worker": derived.get(RUN_JSON["BATCH_SIZE_PER_WORKER"]),
        "averaging_frequency": derived.get(RUN_JSON["AVERAGING_FREQUENCY"]),
        "epochs": epochs,
        "test_accuracy": float(metrics["accuracy"]),
        "test_errors": int(metrics["misclassified"]),
        "validation_accuracy": float(last["accuracy"]) if last["accuracy_on"] == "validation" else None,
        "train_seconds": float(metrics["train_seconds"]),
        "wall_seconds": wall_seconds(info),
        "rounds": len(rounds),
        "round_fit_seconds": median(rounds["fit_seconds"]),
        "round_averaging_seconds": averaging,
        "averaging_share": float(rounds["averaging_seconds"].sum() / rounds["seconds"].sum()),
        "predicted_epoch_seconds_on_machines": rounds_per_epoch * (fit + averaging + network),
    }


def with_speedups(rows):
    for optimizer in {r["outer_optimizer"] for r in rows}:
        group = [r for r in rows if r["outer_optimizer"] == optimizer]
        one = next((r for r in group if r["workers"] == 1), None)
        two = next((r for r in group if r["workers"] == 2 and r["wall_seconds"]), None)
        for r in group:
            r["wall_vs_2_workers"] = (round(r["wall_seconds"] / two["wall_seconds"], 2)
                                      if two and r["wall_seconds"] else None)
            base = one["train_seconds"] / one["epochs"] if one else None
            r["predicted_speedup_on_machines"] = (
                round(base / r["predicted_epoch_seconds_on_machines"], 2) if base else None)
    return rows


def markdown(rows):
    lines = ["| workers | outer optimizer | minibatch x frequency | test accuracy (errors) | validation accuracy "
             "| train s | wall s (x 2 workers') | rounds | round: fit s / averaging s | averaging share "
             "| predicted speed-up on N machines |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        validation = f"{r['validation_accuracy']:.2%}" if r["validation_accuracy"] is not None else "-"
        speedup = f"{r['predicted_speedup_on_machines']:.1f}x" if r["predicted_speedup_on_machines"] else "-"
        wall = f"{r['wall_seconds']:.0f}" if r["wall_seconds"] is not None else "-"
        if r["wall_vs_2_workers"]:
            wall += f" ({r['wall_vs_2_workers']:.2f}x)"
        lines.append(
            f"| {r['workers']} | {r['outer_optimizer']} | {r['batch_size_per_worker']} x {r['averaging_frequency']} "
            f"| {r['test_accuracy']:.2%} ({r['test_errors']}) | {validation} | {r['train_seconds']:.0f} | {wall} "
            f"| {r['rounds']} | {r['round_fit_seconds']:.2f} / {r['round_averaging_seconds']:.2f} "
            f"| {r['averaging_share']:.1%} | {speedup} |")
    return "\n".join(lines)


def plot(rows, path):
    fig, (accuracy_ax, time_ax) = plt.subplots(1, 2, figsize=(12, 4))
    for optimizer in sorted({r["outer_optimizer"] for r in rows}):
        group = sorted((r for r in rows if r["outer_optimizer"] == optimizer), key=lambda r: r["workers"])
        workers = [r["workers"] for r in group]
        accuracy_ax.plot(workers, [r["test_accuracy"] for r in group], marker="o", label=f"test, {optimizer}")
        if all(r["validation_accuracy"] is not None for r in group):
            accuracy_ax.plot(workers, [r["validation_accuracy"] for r in group], marker="x", linestyle="--",
                             label=f"validation, {optimizer}")
        time_ax.plot(workers, [r["train_seconds"] for r in group], marker="o", label=f"measured here, {optimizer}")
        time_ax.plot(workers, [r["predicted_epoch_seconds_on_machines"] * r["epochs"] for r in group], marker="x",
                     linestyle="--", label=f"predicted on N machines, {optimizer}")
    for ax in (accuracy_ax, time_ax):
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted({r["workers"] for r in rows}), [str(w) for w in sorted({r["workers"] for r in rows})])
        ax.set_xlabel("workers")
        ax.legend(fontsize=8)
    accuracy_ax.set(title="Final accuracy", ylabel="accuracy")
    accuracy_ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=2))
    time_ax.set(title="Training time", ylabel="seconds")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_docs(docs, rows, image):
    doc = docs / "scaling.md"
    text = doc.read_text() if doc.exists() else f"# Scaling study\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{doc}: no {BEGIN} ... {END} section to rewrite")
    generated = f"{BEGIN}\n{markdown(rows)}\n\nModel of the prediction: {MODEL}.\n{END}"
    head, rest = text.split(BEGIN, 1)
    doc.write_text(head + generated + rest.split(END, 1)[1])
    (docs / "images").mkdir(exist_ok=True)
    (docs / "images" / "scaling.png").write_bytes(image.read_bytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--docs", type=Path)
    parser.add_argument("runs", nargs="+", type=Path)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    rows = with_speedups([summarise(run, cores) for run in args.runs])
    rows.sort(key=lambda r: (r["outer_optimizer"], r["workers"]))
    (args.out / "scaling.json").write_text(json.dumps({"model": MODEL, "cores": cores, "runs": rows}, indent=2) + "\n")
    image = args.out / "scaling.png"
    plot(rows, image)
    print(markdown(rows))
    print(f"\nModel of the prediction: {MODEL}.")
    print(f"Wrote {args.out / 'scaling.json'} and {image}")
    if args.docs:
        write_docs(args.docs, rows, image)
        print(f"Rewrote the table in {args.docs / 'scaling.md'} and {args.docs / 'images' / 'scaling.png'}")


if __name__ == "__main__":
    sys.exit(main())
