package io.mnistspark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.cli.ExitCodes;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.output.PredictionTables;
import io.mnistspark.output.RunLayout;
import io.mnistspark.output.Tables;
import io.mnistspark.testing.CliRun;
import io.mnistspark.testing.OutputContract;
import io.mnistspark.testing.PredictionFixtures;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with its data and its output on a real HDFS (MiniDFSCluster in this JVM, Spark on local[2]): train reads
 * gzipped IDX files from {@code hdfs://} and commits its run folder there (the staging folder renamed into place);
 * evaluate reads the plain files, each executor seeking to its own range; predict expands an HDFS glob; an existing
 * run on HDFS is never replaced without {@code --overwrite}.
 */
class HdfsEndToEndIT {

    private static final int TRAIN = 2000;
    private static final int TEST = 300;
    private static final int EPOCHS = 1;
    private static final int DIGITS = 12;

    @TempDir
    static Path tmp;

    private static MiniHdfs hdfs;
    private static String run;
    private static CliRun trained;

    @BeforeAll
    static void startHdfsAndTrain() throws IOException {
        hdfs = MiniHdfs.start(tmp.resolve("hdfs"));
        Path mnist = TestData.mnist();
        hdfs.upload(mnist, "/mnist");
        Path gzipped = tmp.resolve("mnist-gz");
        TestData.gzipCopy(mnist, gzipped);
        hdfs.upload(gzipped, "/mnist-gz");

        run = hdfs.uri("/runs/train");
        trained = CliRun.run(
                "train",
                "--master",
                "local[2]",
                "--data-dir",
                hdfs.uri("/mnist-gz"),
                "--output",
                run,
                "--train-limit",
                String.valueOf(TRAIN),
                "--test-limit",
                String.valueOf(TEST),
                "--epochs",
                String.valueOf(EPOCHS));
    }

    @AfterAll
    static void stopHdfs() {
        spark().stop();
        if (hdfs != null) {
            hdfs.close();
        }
    }

    /** The CLI stops the session it ran in, which may be this one: get a live one for each read. */
    private static SparkSession spark() {
        return PredictionFixtures.localSpark(HdfsEndToEndIT.class.getSimpleName());
    }

    @Test
    void train_onHdfs_writesTheWholeOutputContractThere() {
        assertEquals(ExitCodes.OK, trained.exitCode(), trained.err() + trained.out());
        new OutputContract(run, hdfs.uri("/mnist"), hdfs.clientConfiguration(), TEST, EPOCHS, HdfsEndToEndIT::spark)
                .assertAll(0.5);
    }

    @Test
    void train_intoAnExistingRunOnHdfs_isRefusedAndLeavesTheRunAsItWas() throws IOException {
        assertEquals(ExitCodes.OK, trained.exitCode(), trained.err());
        FileStatus before = status(RunLayout.entryOf(run, Tables.SUCCESS));

        CliRun again = CliRun.run(
                "train",
                "--master",
                "local[2]",
                "--data-dir",
                hdfs.uri("/mnist"),
                "--output",
                run,
                "--train-limit",
                "200",
                "--test-limit",
                "100",
                "--epochs",
                "1");

        assertEquals(ExitCodes.OUTPUT_EXISTS, again.exitCode(), again.err() + again.out());
        assertTrue(again.err().contains(run), again.err());
        FileStatus after = status(RunLayout.entryOf(run, Tables.SUCCESS));
        assertEquals(before.getModificationTime(), after.getModificationTime(), "the run's _SUCCESS rewritten");
        assertEquals(List.of(), stagingFolders(), "staging folders left beside the run");
    }

    @Test
    void evaluate_onPlainFilesOnHdfs_predictsWhatTheRunPredicted() {
        assertEquals(ExitCodes.OK, trained.exitCode(), trained.err());
        String evaluation = hdfs.uri("/runs/evaluate");

        CliRun cli = CliRun.run(
                "evaluate",
                "--master",
                "local[2]",
                "--model",
                run,
                "--data-dir",
                hdfs.uri("/mnist"),
                "--output",
                evaluation,
                "--test-limit",
                String.valueOf(TEST));

        assertEquals(ExitCodes.OK, cli.exitCode(), cli.err() + cli.out());
        assertEquals(predictedByIndex(run), predictedByIndex(evaluation));
    }

    @Test
    void predict_anHdfsGlob_scoresEveryMatchingFileAndWritesItsTablesToHdfs() throws IOException {
        assertEquals(ExitCodes.OK, trained.exitCode(), trained.err());
        hdfs.writeTestDigitCsvs("/digits", DIGITS, DigitImage.Scale.GREY_255);
        hdfs.fileSystem()
                .create(new org.apache.hadoop.fs.Path("/digits/notes.txt"))
                .close();
        String output = hdfs.uri("/runs/predict");

        CliRun cli = CliRun.run(
                "predict", "--master", "local[2]", "--model", run, "--output", output, hdfs.uri("/digits/*.csv"));

        assertEquals(ExitCodes.OK, cli.exitCode(), cli.err() + cli.out());
        List<Row> rows = spark().read()
                .parquet(RunLayout.entryOf(output, PredictionTables.FILE_PREDICTIONS)
                        .toString())
                .collectAsList();
        assertEquals(DIGITS, rows.size(), "one row per CSV matched by the glob, notes.txt left out");
        Map<Integer, Integer> byRun = predictedByIndex(run);
        for (Row row : rows) {
            String file = row.getAs(PredictionTables.FILE);
            int index = MiniHdfs.testImageOf(file);
            assertEquals(byRun.get(index).intValue(), (int) row.getAs(Tables.PREDICTED), file);
        }
        assertTrue(status(RunLayout.entryOf(output, Tables.SUCCESS)).isFile());
    }

    private static Map<Integer, Integer> predictedByIndex(String runFolder) {
        return OutputContract.predictedByIndex(spark(), runFolder);
    }

    private static FileStatus status(org.apache.hadoop.fs.Path path) throws IOException {
        return hdfs.fileSystem().getFileStatus(path);
    }

    private static List<String> stagingFolders() throws IOException {
        return java.util.Arrays.stream(hdfs.fileSystem().listStatus(new org.apache.hadoop.fs.Path("/runs")))
                .map(s -> s.getPath().getName())
                .filter(name -> name.startsWith("."))
                .toList();
    }
}
