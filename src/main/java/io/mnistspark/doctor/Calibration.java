package io.mnistspark.doctor;

import io.mnistspark.output.Tables;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Scales the doctor's model to a real run: its {@code training_rounds/} give the fitting and averaging seconds that
 * rounds actually took, against what the measurements predict for the same workers, minibatches and images.
 */
final class Calibration {

    private Calibration() {}

    static Advice.Measurements calibrate(SparkSession spark, String run, Advice.Measurements m, List<Check> checks) {
        String table = new Path(run, Tables.TRAINING_ROUNDS).toString();
        List<Row> rows;
        try {
            rows = spark.read()
                    .parquet(table)
                    .select(
                            Tables.EPOCH,
                            Tables.ROUND,
                            Tables.WORKERS,
                            Tables.MINIBATCHES,
                            Tables.IMAGES,
                            Tables.FIT_SECONDS,
                            Tables.AVERAGING_SECONDS)
                    .collectAsList();
        } catch (RuntimeException e) {
            checks.add(Check.fail(
                    "from-run",
                    Doctor.DRIVER,
                    "cannot read " + table + " (" + e.getMessage()
                            + "): give --from-run the output folder of a finished train run"));
            return m;
        }
        double fit = 0;
        double predictedFit = 0;
        double[] averaging = new double[rows.size()];
        double[] predictedAveraging = new double[rows.size()];
        int used = 0;
        for (Row row : rows) {
            if (row.getInt(0) == 1 && row.getInt(1) == 1) {
                continue; // the first round also starts the executors' JVMs up
            }
            int workers = row.getInt(2);
            int minibatches = row.getInt(3);
            long images = row.getLong(4);
            int batch = (int) Math.max(1, images / Math.max(1, minibatches));
            fit += row.getDouble(5);
            predictedFit += Math.ceil(minibatches / (double) workers) * m.step(batch);
            averaging[used] = row.getDouble(6);
            predictedAveraging[used] = m.averaging(workers);
            used++;
        }
        if (used == 0 || predictedFit <= 0) {
            checks.add(Check.warn(
                    "from-run",
                    Doctor.DRIVER,
                    table + " has no rounds past the first; the advice is " + "not calibrated"));
            return m;
        }
        double fitScale = fit / predictedFit;
        double averagingScale = median(averaging, used) / median(predictedAveraging, used);
        String calibration = String.format(
                Locale.ROOT,
                "calibrated on %d rounds of %s: fitting x%.2f, averaging " + "x%.2f of what was measured here",
                used,
                run,
                fitScale,
                averagingScale);
        checks.add(Check.ok("from-run", Doctor.DRIVER, calibration));
        return new Advice.Measurements(
                m.batchLarge(),
                m.stepLarge(),
                m.batchSmall(),
                m.stepSmall(),
                m.averagingOne(),
                m.averagingMany(),
                m.slots(),
                fitScale,
                averagingScale,
                calibration);
    }

    private static double median(double[] values, int count) {
        double[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    }
}
