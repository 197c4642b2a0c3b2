#!/usr/bin/env python3
"""Reads the runs of submit/benchmark.sh and prints the comparison table; writes benchmark.json beside the logs.

mnist-spark's figures come from its run folder (training_history, metrics); the peers' from their logs.

Usage: benchmark_report.py OUT_DIR WARMUP EPOCHS WORKERS BATCH AVERAGING TORCH_NOTE
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
    # Harmonic mean: total images over total seconds of the measured epochs
    rate = len(measured) / sum(1 / r for r in measured)
    return {"system": "mnist-spark", "images_per_second": round(rate, 1),
            "eval_images_per_second": round(int(metrics["examples"]) / float(metrics["eval_seconds"]), 1),
            "test_accuracy": float(metrics["accuracy"]),
            "peak_rss_mb": peak_rss_mb(os.path.join(out, "mnist-spark.log")), "per_epoch_images_per_second": rates}


def plain_dl4j(out):
    log = os.path.join(out, "plain-dl4j.log")
    lines = [line for line in read(log).splitlines() if line.startswith('{"system": "plain-dl4j"')]
    if not lines:
        raise SystemExit(f"plain DL4J run did not finish; see {log}")
    result = json.loads(lines[-1])
    result["peak_rss_mb"] = peak_rss_mb(log)
    return result


def pytorch(out, warmup):
    log = os.path.join(out, "pytorch.log")
    text = read(log)
    rates = [float(m.group(1)) for m in re.finditer(r"^epoch \d+ train [\d.]+s \((\d+) img/s\)", text, re.M)]
    evals = [float(m.group(1)) for m in re.finditer(r" eval ([\d.]+)s ", text)]
    final = json.loads([line for line in text.splitlines() if line.startswith("{")][-1])
    measured = rates[warmup:] or rates
    return {"system": final["peer"], "images_per_second": round(len(measured) / sum(1 / r for r in measured), 1),
            "eval_images_per_second": round(10000 / evals[-1], 1) if evals else None,
            "test_accuracy": final["test_accuracy"], "peak_rss_mb": peak_rss_mb(log), "batch": final["batch"]}


def main():
    out, warmup, epochs, workers, batch, averaging, torch_note = sys.argv[1:8]
    warmup = int(warmup)
    systems = [mnist_spark(out, warmup), plain_dl4j(out)]
    if not torch_note:
        systems.append(pytorch(out, warmup))
    spark, dl4j = systems[0], systems[1]
    spark["vs_plain_dl4j"] = round(spark["images_per_second"] / dl4j["images_per_second"], 3)
    if len(systems) > 2:
        spark["vs_pytorch"] = round(spark["images_per_second"] / systems[2]["images_per_second"], 3)

    print(f"\nReference CNN, {warmup} warm-up + {epochs} measured epochs of 60,000 images; mnist-spark on "
          f"local[{workers}], batch {batch} per worker, averaging every {averaging}; plain DL4J batch {batch}")
    header = f"{'system':<22}{'train img/s':>12}{'eval img/s':>12}{'peak RSS MB':>13}{'test acc':>10}"
    print(header)
    print("-" * len(header))
    for s in systems:
        eval_rate = f"{s['eval_images_per_second']:.0f}" if s.get("eval_images_per_second") else "-"
        print(f"{s['system']:<22}{s['images_per_second']:>12.0f}{eval_rate:>12}"
              f"{s.get('peak_rss_mb') or '-':>13}{s['test_accuracy']:>10.4f}")
    print(f"\nmnist-spark / plain DL4J: {spark['vs_plain_dl4j']:.2f}")
    if "vs_pytorch" in spark:
        print(f"mnist-spark / PyTorch:    {spark['vs_pytorch']:.2f}")
    else:
        print(f"PyTorch: {torch_note}")
    report = {"warmup_epochs": warmup, "measured_epochs": int(epochs), "workers": int(workers),
              "batch_per_worker": int(batch), "averaging_frequency": int(averaging), "systems": systems,
              "pytorch_note": torch_note or None}
    with open(os.path.join(out, "benchmark.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    print(f"\nwritten {os.path.join(out, 'benchmark.json')}")


if __name__ == "__main__":
    main()
