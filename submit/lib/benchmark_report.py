#!/usr/bin/env python3
"""Reads the runs of submit/benchmark.sh and prints the comparison table; writes benchmark.json beside the logs.

mnist-spark's figures come from its run folder (training_history, metrics); the others' from their logs. A peer
that did not run left OUT_DIR/NAME.note saying why.

Usage: benchmark_report.py OUT_DIR WARMUP EPOCHS WORKERS BATCH
"""
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "notebooks"))
import mnist_run  # noqa: E402  the output contract's reader, shared with the notebooks


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def peak_rss_mb(log):
    match = re.search(r"PEAK_RSS_KB=(\d+)", read(log + ".rss")) if os.path.exists(log + ".rss") else None
    return round(int(match.group(1)) / 1024) if match else None


def mnist_spark(out, warmup):
    """mnist-spark's rates and accuracy, read from its run folder through the output contract
    (notebooks/mnist_run.py)."""
    run_dir = os.path.join(out, "mnist-spark-run")
    try:
        run = mnist_run.load_run(run_dir)
    except mnist_run.RunError as e:
        raise SystemExit(f"mnist-spark run did not finish ({e}); see {os.path.join(out, 'mnist-spark.log')}")
    rates = [float(r) for r in run.history["images_per_second"]]
    measured = rates[warmup:]
    if not measured:
        raise SystemExit(f"{run_dir}: {len(rates)} epochs, none after the {warmup} warm-up epochs")
    metrics = run.metrics
    # The round's shape as the run derived it (the script passes 0 for "derive", the default)
    keys = mnist_run.CONTRACT["run_json"]
    derived = run.info.get(keys["DERIVED"], {})
    # Harmonic mean: total images over total seconds of the measured epochs
    rate = len(measured) / sum(1 / r for r in measured)
    return {"system": "mnist-spark", "images_per_second": round(rate, 1),
            "eval_images_per_second": round(int(metrics["examples"]) / float(metrics["eval_seconds"]), 1),
            "test_accuracy": float(metrics["accuracy"]),
            "peak_rss_mb": peak_rss_mb(os.path.join(out, "mnist-spark.log")), "per_epoch_images_per_second": rates,
            "batch_per_worker": derived.get(keys["BATCH_SIZE_PER_WORKER"]),
            "averaging_frequency": derived.get(keys["AVERAGING_FREQUENCY"])}


def plain_dl4j(out):
    log = os.path.join(out, "plain-dl4j.log")
    lines = [line for line in read(log).splitlines() if line.startswith('{"system": "plain-dl4j"')]
    if not lines:
        raise SystemExit(f"plain DL4J run did not finish; see {log}")
    result = json.loads(lines[-1])
    result["peak_rss_mb"] = peak_rss_mb(log)
    return result


# The peers benchmark.sh runs, by the name of their log and note
PEERS = ("torch", "keras")


def peer(out, name, warmup):
    """A peer script's rates and accuracy, from its epoch lines and its final JSON line; or the note saying why it
    did not run."""
    note = os.path.join(out, name + ".note")
    if os.path.exists(note):
        return None, read(note).strip()
    log = os.path.join(out, name + ".log")
    text = read(log)
    rates = [float(m.group(1)) for m in re.finditer(r"^epoch \d+ train [\d.]+s \((\d+) img/s\)", text, re.M)]
    evals = [float(m.group(1)) for m in re.finditer(r" eval ([\d.]+)s ", text)]
    final = json.loads([line for line in text.splitlines() if line.startswith("{")][-1])
    measured = rates[warmup:] or rates
    return {"system": final["peer"], "images_per_second": round(len(measured) / sum(1 / r for r in measured), 1),
            "eval_images_per_second": round(int(final.get("test_images", 10000)) / evals[-1], 1) if evals else None,
            "test_accuracy": final["test_accuracy"], "peak_rss_mb": peak_rss_mb(log), "batch": final["batch"],
            "per_epoch_images_per_second": rates}, None


def ratio(numerator, denominator):
    return round(numerator / denominator, 3) if numerator and denominator else None


def main():
    out, warmup, epochs, workers, batch = sys.argv[1:6]
    warmup = int(warmup)
    spark = mnist_spark(out, warmup)
    systems = [spark, plain_dl4j(out)]
    notes = {}
    for name in PEERS:
        result, note = peer(out, name, warmup)
        if result:
            systems.append(result)
        else:
            notes[name] = note
    # mnist-spark's ratio to each other system, in training and in evaluation (above 1: mnist-spark is faster)
    for other in systems[1:]:
        other["mnist_spark_train_ratio"] = ratio(spark["images_per_second"], other["images_per_second"])
        other["mnist_spark_eval_ratio"] = ratio(spark["eval_images_per_second"], other["eval_images_per_second"])

    print(f"\nReference CNN, {warmup} warm-up + {epochs} measured epochs of 60,000 images; mnist-spark on "
          f"local[{workers}], batch {spark['batch_per_worker']} per worker, averaging every "
          f"{spark['averaging_frequency']}; plain DL4J batch {batch}; "
          f"peers {workers} threads, batch 200")
    header = (f"{'system':<36}{'train img/s':>12}{'eval img/s':>12}{'peak RSS MB':>13}{'test acc':>10}"
              f"{'spark/this train':>18}{'spark/this eval':>17}")
    print(header)
    print("-" * len(header))
    for s in systems:
        print(f"{s['system']:<36}{s['images_per_second']:>12.0f}{cell(s.get('eval_images_per_second'), '.0f'):>12}"
              f"{s.get('peak_rss_mb') or '-':>13}{s['test_accuracy']:>10.4f}"
              f"{cell(s.get('mnist_spark_train_ratio'), '.2f'):>18}{cell(s.get('mnist_spark_eval_ratio'), '.2f'):>17}")
    for name, note in notes.items():
        print(f"{name}: {note}")
    report = {"warmup_epochs": warmup, "measured_epochs": int(epochs), "workers": int(workers),
              "batch_per_worker": spark["batch_per_worker"], "averaging_frequency": spark["averaging_frequency"],
              "systems": systems,
              "peer_notes": notes}
    with open(os.path.join(out, "benchmark.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    print(f"\nwritten {os.path.join(out, 'benchmark.json')}")


def cell(value, spec):
    return format(value, spec) if value is not None else "-"


if __name__ == "__main__":
    main()
