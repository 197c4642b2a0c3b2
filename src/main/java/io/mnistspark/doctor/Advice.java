package io.mnistspark.doctor;

import io.mnistspark.training.RoundPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The doctor's advice: the predicted epoch time for 1..N workers at the averaging frequency a run would use, from
 * measured costs, and the worker count and frequency it recommends. Pure arithmetic over the measurements, so it is
 * tested without Spark.
 *
 * @param predictions   one per worker count, 1 to the cluster's task slots
 * @param workers       the recommended worker count
 * @param frequency     the averaging frequency a run with {@code workers} workers uses (derived, or configured)
 * @param model         the model the predictions come from, in one line
 * @param note          what else the numbers say (a round dominated by averaging, a calibration), or empty
 */
public record Advice(List<Prediction> predictions, int workers, int frequency, String model, String note) {

    /** Within this share of the fastest, the fewer workers are recommended. */
    static final double GOOD_ENOUGH = 0.05;
    /** An averaging share of a round above this is worth a larger averaging frequency. */
    static final double HIGH_AVERAGING_SHARE = 0.25;

    /**
     * What one worker count is predicted to give.
     *
     * @param workers        workers
     * @param batch          each worker's minibatch
     * @param frequency      minibatches a worker fits in a round
     * @param rounds         rounds an epoch
     * @param epochSeconds   predicted seconds an epoch
     * @param averagingShare the share of a round that is not fitting
     */
    public record Prediction(
            int workers, int batch, int frequency, int rounds, double epochSeconds, double averagingShare) {}

    /**
     * What was measured.
     *
     * @param batchLarge        the configured minibatch size, at which a step took {@code stepLarge} seconds
     * @param batchSmall        a smaller one, at which it took {@code stepSmall} (the slowest executor's, both)
     * @param averagingOne      seconds of a round's averaging with one worker
     * @param averagingMany     the same with {@code slots} workers
     * @param slots             task slots of the cluster: the most workers that train at once
     * @param fitScale          measured fitting over predicted, from a real run (1 without one)
     * @param averagingScale    the same for averaging
     * @param calibration       where the scales come from, or empty
     */
    public record Measurements(
            int batchLarge,
            double stepLarge,
            int batchSmall,
            double stepSmall,
            double averagingOne,
            double averagingMany,
            int slots,
            double fitScale,
            double averagingScale,
            String calibration) {

        /** Seconds of one step at minibatch {@code batch}: a line through the two measured points. */
        double step(int batch) {
            double perImage = batchLarge == batchSmall
                    ? stepLarge / batchLarge
                    : (stepLarge - stepSmall) / (batchLarge - batchSmall);
            double fixed = Math.max(0, stepLarge - perImage * batchLarge);
            return fitScale * (fixed + Math.max(0, perImage) * batch);
        }

        /** Seconds of a round's averaging with {@code workers} workers: a line through the two measured points. */
        double averaging(int workers) {
            double perWorker = slots <= 1 ? 0 : Math.max(0, (averagingMany - averagingOne) / (slots - 1));
            return averagingScale * (averagingOne + perWorker * (workers - 1));
        }
    }

    static Advice of(Measurements m, RoundPlan.Request request, int trainImages) {
        List<Prediction> predictions = new ArrayList<>();
        for (int workers = 1; workers <= Math.max(1, m.slots()); workers++) {
            RoundPlan plan = RoundPlan.of(request, workers, trainImages);
            int rounds = plan.roundsPerEpoch(trainImages);
            double fit = plan.averagingFrequency() * m.step(plan.batchSizePerWorker());
            double averaging = m.averaging(workers);
            predictions.add(new Prediction(
                    workers,
                    plan.batchSizePerWorker(),
                    plan.averagingFrequency(),
                    rounds,
                    rounds * (fit + averaging),
                    averaging / (fit + averaging)));
        }
        double fastest =
                predictions.stream().mapToDouble(Prediction::epochSeconds).min().orElseThrow();
        Prediction best = predictions.stream()
                .filter(p -> p.epochSeconds() <= fastest * (1 + GOOD_ENOUGH))
                .findFirst()
                .orElseThrow();
        String note = "";
        if (best.averagingShare() > HIGH_AVERAGING_SHARE) {
            double step = m.step(best.batch());
            int frequency = (int)
                    Math.ceil(m.averaging(best.workers()) * (1 - HIGH_AVERAGING_SHARE) / HIGH_AVERAGING_SHARE / step);
            note = String.format(
                    Locale.ROOT,
                    "averaging is %.0f%% of a round at %d workers: --averaging-frequency "
                            + "%d would bring it to %.0f%% (fewer rounds an epoch, which changes the training)",
                    100 * best.averagingShare(),
                    best.workers(),
                    frequency,
                    100 * HIGH_AVERAGING_SHARE);
        }
        if (!m.calibration().isEmpty()) {
            note = (note.isEmpty() ? "" : note + "; ") + m.calibration();
        }
        String model = String.format(
                Locale.ROOT,
                "epoch(W) = rounds(W) x (frequency(W) x step(batch(W)) + "
                        + "averaging(W)), with batch, frequency and rounds as train derives them for %d images; step(b) a "
                        + "line through the slowest executor's steps (timed as many at once as workers share an executor) at "
                        + "minibatch %d (%.0f ms) and %d (%.0f ms); averaging(W) a line through measured rounds of 1 (%.0f ms) "
                        + "and %d (%.0f ms) workers",
                trainImages,
                m.batchLarge(),
                1000 * m.stepLarge(),
                m.batchSmall(),
                1000 * m.stepSmall(),
                1000 * m.averagingOne(),
                m.slots(),
                1000 * m.averagingMany());
        return new Advice(List.copyOf(predictions), best.workers(), best.frequency(), model, note);
    }
}
