package io.mnistspark.job;

import static io.mnistspark.testing.PredictionFixtures.uniformCsv;
import static io.mnistspark.testing.PredictionFixtures.writeCsv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.cli.ExitCodes;
import io.mnistspark.data.Slice;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.evaluation.Prediction;
import io.mnistspark.output.PredictionTables;
import io.mnistspark.output.RunSamples;
import io.mnistspark.output.Tables;
import io.mnistspark.testing.CliRun;
import io.mnistspark.testing.PredictionFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} end to end through the command line, on a real local[2] Spark, with a model trained on real MNIST
 * and CSVs cut from real MNIST test images.
 */
class PredictJobTest {

    /** Test images cut into CSVs, in each scale; all within the tiny run's predicted test images. */
    private static final int CUT = 40;

    private static Path run;
    private static Map<Integer, Prediction> runPredictions;
    private static Slice images;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainTinyModel() throws Exception {
        run = PredictionFixtures.trainedRun();
        runPredictions = new HashMap<>();
        RunSamples samples = PredictionFixtures.runSamples();
        samples.correct().forEach(d -> runPredictions.put(d.index(), d));
        samples.misclassified().forEach(d -> runPredictions.put(d.index(), d));
        images = PredictionFixtures.testImages(0, CUT);
    }

    @Test
    void predict_csvsCutFromMnistInBothScales_readAsTheModelReadTheTestSet() throws Exception {
        Path digits = tmp.resolve("digits");
        for (int i = 0; i < CUT; i++) {
            DigitImage digit = DigitImage.fromGrey(images.greyValues(i));
            writeCsv(digits, String.format("test%03d-grey.csv", i), DigitCsv.write(digit, DigitImage.Scale.GREY_255));
            writeCsv(digits, String.format("test%03d-unit.csv", i), DigitCsv.write(digit, DigitImage.Scale.UNIT));
        }
        Path output = tmp.resolve("predictions");

        CliRun cli = CliRun.run(
                "predict",
                "--model",
                run.toString(),
                "--master",
                "local[2]",
                "--output",
                output.toString(),
                digits.toString());

        assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
        Map<String, Integer> printed = printedDigits(cli.out());
        assertEquals(2 * CUT, printed.size(), cli.out());
        int agreeWithRun = 0;
        int rightLabels = 0;
        int runRightLabels = 0;
        for (int i = 0; i < CUT; i++) {
            Prediction byRun = runPredictions.get(i);
            for (String scale : List.of("grey", "unit")) {
                int predicted = printed.get(digits.resolve(String.format("test%03d-%s.csv", i, scale))
                        .toString());
                agreeWithRun += predicted == byRun.predicted() ? 1 : 0;
                rightLabels += predicted == images.label(i) ? 1 : 0;
                runRightLabels += byRun.isCorrect() ? 1 : 0;
            }
        }
        // Same pixels, same scaling, same model: the run's own predictions, hence its accuracy on these images
        assertEquals(2 * CUT, agreeWithRun, "CSV predictions that agree with the run's predictions/");
        assertEquals(runRightLabels, rightLabels, "CSV predictions that match the labels");
        assertTrue(rightLabels >= 2 * CUT * 0.6, "a model trained on 3000 images reads most digits: " + rightLabels);

        SparkSession spark = PredictionFixtures.localSpark(getClass().getSimpleName());
        try {
            List<Row> rows = spark.read()
                    .parquet(output.resolve(PredictionTables.FILE_PREDICTIONS).toString())
                    .collectAsList();
            assertEquals(2 * CUT, rows.size());
            for (Row row : rows) {
                String file = row.getAs(PredictionTables.FILE);
                assertEquals(printed.get(file).intValue(), (int) row.getAs(Tables.PREDICTED), file);
                List<Float> probabilities = row.getList(row.fieldIndex(Tables.PROBABILITIES));
                assertEquals(10, probabilities.size());
                assertEquals(probabilities.get(printed.get(file)), (Float) row.getAs(Tables.CONFIDENCE));
            }
            assertEquals(
                    0,
                    spark.read()
                            .parquet(output.resolve(PredictionTables.FAILED_FILES)
                                    .toString())
                            .count());
        } finally {
            spark.stop();
        }
        assertTrue(Files.isRegularFile(output.resolve(Tables.SUCCESS)));
        assertTrue(Files.readString(output.resolve(Tables.RUN_JSON)).contains("\"files_scored\" : 80"));
    }

    @Test
    void predict_mixOfGoodAndBadFiles_scoresTheGoodListsTheBadAndExits5() throws Exception {
        Path mixed = tmp.resolve("mixed");
        for (int i = 0; i < 3; i++) {
            writeCsv(
                    mixed,
                    "good" + i + ".csv",
                    DigitCsv.write(DigitImage.fromGrey(images.greyValues(i)), DigitImage.Scale.GREY_255));
        }
        String good = DigitCsv.write(DigitImage.fromGrey(images.greyValues(0)), DigitImage.Scale.GREY_255);
        String[] lines = good.split("\n");
        writeCsv(mixed, "bad-rows.csv", String.join("\n", List.of(lines).subList(0, 20)) + "\n");
        writeCsv(mixed, "bad-columns.csv", good.replaceFirst("\n", ",0\n"));
        writeCsv(mixed, "bad-text.csv", uniformCsv("0").replaceFirst("0", "seven"));
        writeCsv(mixed, "bad-nan.csv", uniformCsv("0").replaceFirst("0", "NaN"));
        writeCsv(mixed, "bad-negative.csv", uniformCsv("0").replaceFirst("0", "-3"));
        writeCsv(mixed, "bad-over.csv", uniformCsv("0").replaceFirst("0", "300"));
        writeCsv(mixed, "notes.txt", "not a csv, and not in the listing");
        Path missing = tmp.resolve("missing.csv");
        Path output = tmp.resolve("out");

        CliRun cli = CliRun.run(
                "predict",
                "--model",
                run.toString(),
                "--master",
                "local[2]",
                "--output",
                output.toString(),
                mixed.toString(),
                missing.toString());

        assertEquals(ExitCodes.SOME_INPUTS_FAILED, cli.exitCode(), cli.err());
        Map<String, Integer> printed = printedDigits(cli.out());
        assertEquals(3, printed.size(), cli.out());
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    runPredictions.get(i).predicted(),
                    printed.get(mixed.resolve("good" + i + ".csv").toString()));
        }
        assertTrue(cli.err().contains("7 of 10 inputs could not be scored"), cli.err());
        for (String expected : List.of(
                mixed.resolve("bad-rows.csv") + ": line 21: missing",
                mixed.resolve("bad-columns.csv") + ": line 1: 29 values, expected 28",
                mixed.resolve("bad-text.csv") + ": line 1, value 1: 'seven' is not a number",
                mixed.resolve("bad-nan.csv") + ": line 1, value 1: NaN is not a grey value",
                mixed.resolve("bad-negative.csv") + ": line 1, value 1: -3 is negative",
                mixed.resolve("bad-over.csv") + ": line 1, value 1: 300 is over 255",
                missing + ": no such file or folder")) {
            assertTrue(cli.err().contains(expected), "missing '" + expected + "' in:\n" + cli.err());
        }
        SparkSession spark = PredictionFixtures.localSpark(getClass().getSimpleName());
        try {
            assertEquals(
                    3,
                    spark.read()
                            .parquet(output.resolve(PredictionTables.FILE_PREDICTIONS)
                                    .toString())
                            .count());
            List<Row> failed = spark.read()
                    .parquet(output.resolve(PredictionTables.FAILED_FILES).toString())
                    .collectAsList();
            assertEquals(7, failed.size());
            assertTrue(failed.stream()
                    .allMatch(r -> ((String) r.getAs(PredictionTables.PROBLEM))
                            .startsWith((String) r.getAs(PredictionTables.FILE))));
        } finally {
            spark.stop();
        }
    }

    @Test
    void predict_missingModel_isBadInputNamingThePath() {
        CliRun cli = CliRun.run(
                "predict",
                "--model",
                tmp.resolve("no-such-run").toString(),
                "--master",
                "local[1]",
                tmp.resolve("a.csv").toString());
        assertEquals(ExitCodes.BAD_INPUT, cli.exitCode());
        assertTrue(cli.err().contains("Model not found: ") && cli.err().contains("no-such-run"), cli.err());
    }

    /** "file  digit  confidence" lines, by file. */
    private static Map<String, Integer> printedDigits(String out) {
        Map<String, Integer> digits = new HashMap<>();
        for (String line : out.split("\n", -1)) {
            String[] fields = line.trim().split("\\s{2,}", -1);
            if (fields.length == 3 && fields[2].matches("[01]\\.\\d{4}")) {
                digits.put(fields[0], Integer.parseInt(fields[1]));
            }
        }
        return digits;
    }
}
