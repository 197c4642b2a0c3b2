package io.mnistspark.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.cli.ExitCodes;
import io.mnistspark.data.Split;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.Tables;
import io.mnistspark.testing.CliProcess;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproducible training, checkpoints and resume, with real {@code train} JVMs: two runs of one configuration are equal
 * bit for bit, and so is a run killed with SIGKILL after its second epoch's checkpoint and then resumed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResumeIT {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
    private static final int EPOCHS = 3;

    @TempDir
    static Path work;

    private static Path mnist;
    private static Path uninterrupted;

    @BeforeAll
    static void trainOnceUninterrupted() throws IOException {
        mnist = TestData.mnist();
        uninterrupted = work.resolve("uninterrupted");
        assertEquals(ExitCodes.OK, train(uninterrupted, "uninterrupted.log"), () -> tail("uninterrupted.log"));
    }

    @AfterAll
    static void stopSpark() {
        spark().stop();
    }

    @Test
    @Order(1)
    void theSameConfigurationTwice_givesBitIdenticalParametersAndTables() throws IOException {
        Path again = work.resolve("again");

        assertEquals(ExitCodes.OK, train(again, "again.log"), () -> tail("again.log"));

        assertSameRun(uninterrupted, again);
    }

    @Test
    @Order(2)
    void aRunKilledAfterItsSecondEpochsCheckpoint_resumes_andEndsBitIdenticalToTheUninterruptedRun()
            throws IOException {
        Path run = work.resolve("killed");
        Path checkpoints = work.resolve(".killed.checkpoints");
        CliProcess process = CliProcess.start(work.resolve("killed.log"), trainArgs(run));
        Path second = awaitCheckpoint(process, checkpoints, 2);
        process.kill();

        // The kill interrupted the run: no output, and the newest checkpoint is the second epoch's
        assertFalse(Files.exists(run), "the killed run wrote no output");
        assertEquals(second, newestCheckpoint(checkpoints).orElseThrow());
        // Copies for the tests below: a resumed run removes its checkpoints once it has finished
        FileUtils.copyDirectory(
                checkpoints.toFile(), work.resolve("checkpoints-to-damage").toFile());
        FileUtils.copyDirectory(
                checkpoints.toFile(), work.resolve("checkpoints-to-refuse").toFile());

        int refused = CliProcess.run(work.resolve("killed-again.log"), RUN_TIMEOUT, trainArgs(run));
        assertEquals(ExitCodes.OUTPUT_EXISTS, refused, "an unfinished run is reported, not thrown away");
        assertTrue(Files.readString(work.resolve("killed-again.log")).contains("resumable run of epoch 2/3"));

        int resumed = CliProcess.run(work.resolve("resumed.log"), RUN_TIMEOUT, with(trainArgs(run), "--resume"));

        assertEquals(ExitCodes.OK, resumed, Files.readString(work.resolve("resumed.log")));
        String log = Files.readString(work.resolve("resumed.log"));
        assertTrue(log.contains("resuming after epoch 2 round"), log);
        assertFalse(log.contains("epoch 2/3  loss"), "epoch 2 is not trained again: " + log);
        assertSameRun(uninterrupted, run);
        assertFalse(Files.exists(checkpoints), "a finished run's checkpoints are removed");
        try (Stream<Path> entries = Files.list(work)) {
            assertEquals(
                    List.of(),
                    entries.map(p -> p.getFileName().toString())
                            .filter(name -> name.startsWith(".killed.inprogress-"))
                            .toList(),
                    "the killed run's staging folder");
        }
        assertTrue(Files.readString(run.resolve(Tables.RUN_JSON)).contains("\"resumed_from\""));
    }

    @Test
    @Order(3)
    void aDamagedNewestCheckpoint_isSkippedWithAWarning_forTheOneBefore() throws IOException {
        Path copy = work.resolve("checkpoints-to-damage");
        Path newest = newestCheckpoint(copy).orElseThrow();
        Path network = newest.resolve("network.zip");
        Files.write(network, java.util.Arrays.copyOf(Files.readAllBytes(network), 1000));
        Path run = work.resolve("from-damaged");

        int exit = CliProcess.run(
                work.resolve("from-damaged.log"),
                RUN_TIMEOUT,
                with(trainArgs(run), "--resume", "--checkpoint-dir", copy.toString()));

        String log = Files.readString(work.resolve("from-damaged.log"));
        assertEquals(ExitCodes.OK, exit, log);
        assertTrue(log.contains(newest.getFileName() + " is damaged"), log);
        assertTrue(log.contains("resuming after epoch 1 round"), log);
        assertSameRun(uninterrupted, run);
    }

    @Test
    @Order(4)
    void resumingWithAnotherSeedOrOtherData_isRefusedNamingTheDifference() throws IOException {
        Path run = work.resolve("refused");
        Path checkpoints = work.resolve(".refused.checkpoints");
        FileUtils.copyDirectory(work.resolve("checkpoints-to-refuse").toFile(), checkpoints.toFile());
        Path otherData = Files.createDirectories(work.resolve("other-data"));
        for (Split split : Split.values()) {
            Files.copy(mnist.resolve(split.imagesFile()), otherData.resolve(split.imagesFile()));
            Files.copy(mnist.resolve(split.labelsFile()), otherData.resolve(split.labelsFile()));
        }
        Path labels = otherData.resolve(Split.TRAIN.labelsFile());
        byte[] bytes = Files.readAllBytes(labels);
        bytes[bytes.length - 1] = (byte) ((bytes[bytes.length - 1] + 1) % 10);
        Files.write(labels, bytes);

        List<String> seedArgs = new ArrayList<>(List.of(with(trainArgs(run), "--resume")));
        seedArgs.set(seedArgs.indexOf("--seed") + 1, "7");
        int seed = CliProcess.run(work.resolve("seed.log"), RUN_TIMEOUT, seedArgs.toArray(String[]::new));
        List<String> dataArgs = new ArrayList<>(List.of(with(trainArgs(run), "--resume")));
        dataArgs.set(dataArgs.indexOf("--data-dir") + 1, otherData.toString());
        int data = CliProcess.run(work.resolve("data.log"), RUN_TIMEOUT, dataArgs.toArray(String[]::new));

        assertEquals(ExitCodes.BAD_INPUT, seed, () -> tail("seed.log"));
        assertTrue(Files.readString(work.resolve("seed.log")).contains("train.seed was 42, is now 7"));
        assertEquals(ExitCodes.BAD_INPUT, data, () -> tail("data.log"));
        assertTrue(Files.readString(work.resolve("data.log")).contains("train labels sha256 was"));
        assertFalse(Files.exists(run));
        assertTrue(newestCheckpoint(checkpoints).isPresent(), "a refused resume leaves the checkpoints");
    }

    /** The last lines of a run's log, for a failure message. */
    private static String tail(String log) {
        try {
            List<String> lines = Files.readAllLines(work.resolve(log));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log " + log + ": " + e.getMessage() + ")";
        }
    }

    private static int train(Path output, String log) {
        return CliProcess.run(work.resolve(log), RUN_TIMEOUT, trainArgs(output));
    }

    private static String[] trainArgs(Path output) {
        return new String[] {
            "train",
            "--data-dir",
            mnist.toString(),
            "--output",
            output.toString(),
            "--master",
            "local[2]",
            "--train-limit",
            "2000",
            "--test-limit",
            "300",
            "--epochs",
            String.valueOf(EPOCHS),
            "--seed",
            "42"
        };
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
    }

    /** Waits for the complete checkpoint of {@code epoch}'s end, while the run goes on. */
    private static Path awaitCheckpoint(CliProcess process, Path checkpoints, int epoch) {
        Instant deadline = Instant.now().plus(RUN_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            Optional<Path> newest = newestCheckpoint(checkpoints);
            if (newest.isPresent()
                    && newest.get().getFileName().toString().startsWith(String.format("epoch-%04d-", epoch))) {
                return newest.get();
            }
            assertTrue(
                    process.isAlive(), "the run ended before its checkpoint of epoch " + epoch + ":\n" + process.log());
            sleep(50);
        }
        throw new AssertionError("no checkpoint of epoch " + epoch + " in " + checkpoints);
    }

    private static Optional<Path> newestCheckpoint(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        try (Stream<Path> entries = Files.list(checkpoints)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("epoch-"))
                    .filter(p -> Files.exists(p.resolve("MANIFEST")))
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Same parameters and updater state to the bit, same predictions, same history and rounds but for timings. */
    private static void assertSameRun(Path expected, Path actual) {
        MultiLayerNetwork a = ModelStore.load(expected.toString(), new Configuration());
        MultiLayerNetwork b = ModelStore.load(actual.toString(), new Configuration());
        assertArrayEquals(a.params().data().asFloat(), b.params().data().asFloat(), 0f, "parameters");
        assertArrayEquals(
                a.getUpdater().getStateViewArray().data().asFloat(),
                b.getUpdater().getStateViewArray().data().asFloat(),
                0f,
                "Adam's state");
        assertEquals(rows(expected, Tables.PREDICTIONS, Tables.INDEX), rows(actual, Tables.PREDICTIONS, Tables.INDEX));
        assertEquals(rows(expected, Tables.CONFUSION_MATRIX), rows(actual, Tables.CONFUSION_MATRIX));
        assertEquals(
                rows(expected, Tables.TRAINING_HISTORY, Tables.EPOCH, Tables.LOSS, Tables.ACCURACY),
                rows(actual, Tables.TRAINING_HISTORY, Tables.EPOCH, Tables.LOSS, Tables.ACCURACY));
        assertEquals(
                rows(expected, Tables.TRAINING_ROUNDS, Tables.EPOCH, Tables.ROUND, Tables.IMAGES, Tables.LOSS),
                rows(actual, Tables.TRAINING_ROUNDS, Tables.EPOCH, Tables.ROUND, Tables.IMAGES, Tables.LOSS));
    }

    /** A table's rows as text, in a stable order; only {@code columns} when given. */
    private static List<String> rows(Path run, String table, String... columns) {
        var frame = spark().read().parquet(run.resolve(table).toString());
        if (columns.length > 0) {
            frame = frame.select(columns[0], java.util.Arrays.copyOfRange(columns, 1, columns.length));
        }
        return frame.collectAsList().stream().map(Row::toString).sorted().toList();
    }

    private static SparkSession spark() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("ResumeIT")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
