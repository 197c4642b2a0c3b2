package io.mnistspark.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.PredictionTables;
import io.mnistspark.output.RunJson;
import io.mnistspark.output.RunLayout;
import io.mnistspark.output.Tables;
import io.mnistspark.testing.OutputContract;
import io.mnistspark.testing.PredictionFixtures;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real YARN and HDFS (MiniYARNCluster with two NodeManagers and MiniDFSCluster, in this JVM, as Spark's
 * own YARN suite runs), submitted with {@code submit/yarn.sh} from the runtime {@code submit/local-cluster.sh}
 * assembles (Spark's YARN module included): train in cluster deploy mode (the driver in the application master's
 * container) and in client mode, evaluate and predict (an HDFS glob) on its model; data and output on HDFS, the
 * application jar staged on HDFS by spark-submit and the executors in YARN containers; and train again with an
 * executor's container killed (SIGKILL) while it runs a training task, which must retry the task and end with the
 * same model as the run without the kill.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnEndToEndIT {

    private static final int TRAIN = 3_000;
    private static final int TEST = 500;
    private static final int EPOCHS = 1;
    private static final int DIGITS = 8;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    /** Kills that hit no training task are repeated, up to this many runs. */
    private static final int KILL_ATTEMPTS = 3;
    /** How long after a job starts its tasks surely run on the executors (they start within a few 100 ms). */
    private static final Duration TASKS_LAUNCHED = Duration.ofMillis(500);
    /** What Spark reports of a container YARN killed over its memory (the README quotes it). */
    private static final String OVER_MEMORY = "Container killed by YARN for exceeding physical memory limits";

    @TempDir
    static Path work;

    private static Path project;
    private static MiniHdfs hdfs;
    private static MiniYarn yarn;
    private static String sparkHome;
    private static final Map<String, Double> SECONDS = new TreeMap<>();

    @BeforeAll
    static void startHadoop() throws IOException {
        project = Scripts.projectFolder();
        Scripts.clusterJar(project);
        Scripts.Result home =
                new Scripts(project).run(Map.of(), Duration.ofMinutes(10), "submit/local-cluster.sh", "spark-home");
        assertEquals(0, home.exitCode(), home.output());
        sparkHome = project.resolve("target/spark-home").toString();
        assertTrue(home.output().contains(sparkHome), home.output());
        hdfs = MiniHdfs.start(work.resolve("hdfs"));
        hdfs.upload(TestData.mnist(), "/mnist");
        yarn = MiniYarn.start(YarnEndToEndIT.class.getSimpleName(), 2, hdfs, work.resolve("hadoop-conf"));
    }

    @AfterAll
    static void stopHadoop() throws IOException {
        System.out.println("YARN wall seconds (spark-submit start to exit): " + SECONDS);
        reader().stop();
        if (yarn != null) {
            List<ProcessHandle> running = yarn.containerProcesses();
            yarn.close();
            running.forEach(p -> p.onExit()
                    .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
                    .join());
            assertEquals(List.of(), yarn.containerProcesses(), "container processes left after the cluster stopped");
        }
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Test
    @Order(1)
    void train_inClusterDeployMode_writesTheWholeOutputContractToHdfs() {
        String run = hdfs.uri("/runs/yarn-cluster");

        submit("cluster", train(run));

        OutputContract contract = contract(run);
        contract.assertAll(0.5);
        assertRanOnYarn(contract.runJson());
    }

    @Test
    @Order(2)
    void train_inClientDeployMode_givesTheSameModelAsClusterMode() {
        String run = hdfs.uri("/runs/yarn-client");

        submit("client", train(run));

        contract(run).assertAll(0.5);
        // Same seed, same worker count: where the driver runs does not change the model
        assertEquals(predictions(hdfs.uri("/runs/yarn-cluster")), predictions(run));
    }

    @Test
    @Order(3)
    void evaluateAndPredict_onTheModelOnHdfs_agreeWithTheRun() throws IOException {
        String run = hdfs.uri("/runs/yarn-cluster");
        String evaluation = hdfs.uri("/runs/yarn-evaluate");
        submit(
                "client",
                "evaluate",
                "--model",
                run,
                "--data-dir",
                hdfs.uri("/mnist"),
                "--output",
                evaluation,
                "--test-limit",
                String.valueOf(TEST));
        Map<Integer, Integer> byRun = predictions(run);
        assertEquals(byRun, predictions(evaluation));

        hdfs.writeTestDigitCsvs("/digits", DIGITS, DigitImage.Scale.UNIT);
        String output = hdfs.uri("/runs/yarn-predict");
        submit("cluster", "predict", "--model", run, "--output", output, hdfs.uri("/digits/test*.csv"));
        List<Row> rows = reader().read()
                .parquet(RunLayout.entryOf(output, PredictionTables.FILE_PREDICTIONS)
                        .toString())
                .collectAsList();
        assertEquals(DIGITS, rows.size());
        for (Row row : rows) {
            String file = row.getAs(PredictionTables.FILE);
            int index = MiniHdfs.testImageOf(file);
            assertEquals(byRun.get(index).intValue(), (int) row.getAs(Tables.PREDICTED), file);
        }
    }

    @Test
    @Order(4)
    void executorContainerKilledMidTraining_retriesItsTask_andEndsEqualToTheRunWithoutTheKill() throws Exception {
        String run = hdfs.uri("/runs/yarn-killed");
        Path events = work.resolve("events-kill");
        KilledRun killed = null;
        for (int attempt = 1; attempt <= KILL_ATTEMPTS && (killed == null || !killed.bit()); attempt++) {
            hdfs.fileSystem().delete(new org.apache.hadoop.fs.Path(run), true);
            deleteRecursively(events);
            Files.createDirectories(events);
            killed = killAContainerMidTraining(run, events);
            if (!killed.bit()) {
                System.out.printf("CONTAINER KILL attempt %d hit no training task: repeating it%n", attempt);
            }
        }

        assertTrue(killed.bit(), "no kill in " + KILL_ATTEMPTS + " attempts made a training task fail and re-run");
        contract(run).assertAll(0.5);
        // The retried task computes what the lost one would have: the run equals the client-mode run without a kill
        assertEquals(predictions(hdfs.uri("/runs/yarn-client")), predictions(run));
        assertArrayEquals(
                ModelStore.load(hdfs.uri("/runs/yarn-client"), hdfs.clientConfiguration())
                        .params()
                        .data()
                        .asFloat(),
                ModelStore.load(run, hdfs.clientConfiguration()).params().data().asFloat(),
                0f,
                "parameters");
    }

    @Test
    @Order(5)
    void executorOverItsContainersMemory_failsTheRun_withYarnsExplanation_andLeavesNoOutput() throws Exception {
        String run = hdfs.uri("/runs/yarn-over-memory");
        // Containers of 768 MB (576m + 1m, rounded up to YARN's steps of 256 MB) whose JVMs commit their whole heap as
        // they start: about 700 MB then, under the limit, so that the executors register and take training tasks;
        // over it once ND4J has loaded and trains (775-796 MB were seen with a 512m heap, 800-855 at start with 700m).
        // A container killed before its executor registered would fail no task, and YARN would only start another.
        List<String> overMemory = List.of(
                "--executor-memory",
                "576m",
                "--conf",
                "spark.executor.memoryOverhead=1m",
                "--conf",
                "spark.executor.defaultJavaOptions=-Xms576m -XX:+AlwaysPreTouch");

        Scripts.Result result =
                start("client", Map.of(), overMemory, train(run)).await(RUN_TIMEOUT);

        MiniYarn.Application application = yarn.lastApplication();
        String logs = yarn.containerLogs(application.id());
        System.out.printf(
                "OVER MEMORY: exit %d after %.1f s; %s %s: %s; YARN's explanation in the driver's output: %b, in the "
                        + "containers' logs: %b; the driver said:%n%s%n",
                result.exitCode(),
                result.seconds(),
                application.id(),
                application.finalStatus(),
                application.diagnostics(),
                result.output().contains(OVER_MEMORY),
                logs.contains(OVER_MEMORY),
                driverSaid(result.output()));
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains(OVER_MEMORY) || logs.contains(OVER_MEMORY), result.output() + logs);
        assertFalse(hdfs.fileSystem().exists(new org.apache.hadoop.fs.Path(run)), "a failed run left " + run);
    }

    /** The driver's first line with YARN's explanation, and the CLI's last word. */
    private static String driverSaid(String output) {
        List<String> lines = output.lines().toList();
        String explanation = lines.stream()
                .filter(line -> line.contains(OVER_MEMORY))
                .findFirst()
                .orElse("");
        List<String> cli =
                lines.stream().filter(line -> line.startsWith("mnist-spark:")).toList();
        return explanation + "\n" + (cli.isEmpty() ? "" : cli.get(cli.size() - 1));
    }

    /** One client-mode train whose executor container is killed (SIGKILL) while it runs a training task. */
    private static KilledRun killAContainerMidTraining(String run, Path events) throws Exception {
        Scripts.Running running =
                start("client", Map.of("SPARK_EVENT_LOG_DIR", events.toUri().toString()), List.of(), train(run));
        Optional<ProcessHandle> victim = awaitExecutorInATrainingTask(running, events);
        double killedAt = (System.nanoTime() - running.startNanos()) / 1e9;
        victim.ifPresent(ProcessHandle::destroyForcibly);
        Scripts.Result result = running.await(RUN_TIMEOUT);
        assertEquals(0, result.exitCode(), result.output());

        EventLog log = EventLog.readOnlyLogIn(events);
        List<EventLog.TaskEnd> failedTraining = log.failedAttempts().stream()
                .filter(t -> EventLog.TRAINING_STAGE.test(log.stageNames().get(t.stageId())))
                .toList();
        System.out.printf(
                "CONTAINER KILL: SIGKILL to executor container %s %.1f s into the run; %d training task attempts "
                        + "failed %s, %d re-ran; run took %.1f s against %.1f s without the kill%n",
                victim.map(ProcessHandle::pid).orElse(null),
                killedAt,
                failedTraining.size(),
                log.failureReasons(),
                log.rerunAttempts().size(),
                result.seconds(),
                SECONDS.get("train (client)"));
        SECONDS.put("train (client, container killed)", result.seconds());
        // A kill after the task's result left costs no retry: it tested nothing, and the caller repeats it
        return new KilledRun(victim.isPresent()
                && !failedTraining.isEmpty()
                && !log.rerunAttempts().isEmpty());
    }

    private record KilledRun(boolean bit) {}

    /**
     * Waits until the driver's event log shows an averaging round's job running for {@link #TASKS_LAUNCHED} and an
     * executor container's JVM is busy (at least half a core): by then both executors run that round's tasks, so a busy
     * one is in a training task, not still starting up or evaluating. (Killed as the job starts, before its tasks are
     * launched, an executor fails no task: Spark just sends them to the other one.) The first round's tasks, which load
     * the kernels, last seconds. Whether the kill hit a training task is not assumed: the caller reads it from the
     * finished event log. (The driver's REST API, which the standalone test asks, answers on YARN only through the
     * ResourceManager's proxy.)
     */
    private static Optional<ProcessHandle> awaitExecutorInATrainingTask(Scripts.Running running, Path events)
            throws InterruptedException {
        while (running.process().isAlive()) {
            Optional<Instant> since = EventLog.readSoFar(events).flatMap(EventLog::trainingJobRunningSince);
            if (since.isPresent() && since.get().plus(TASKS_LAUNCHED).isBefore(Instant.now())) {
                for (ProcessHandle jvm : yarn.containerProcesses()) {
                    boolean executor = jvm.info()
                            .commandLine()
                            .map(line -> line.contains("CoarseGrainedExecutorBackend"))
                            .orElse(false);
                    if (executor && Processes.busy(List.of(jvm))) {
                        return Optional.of(jvm);
                    }
                }
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** The same small training every run of this test does, into {@code run}. */
    private static String[] train(String run) {
        return new String[] {
            "train",
            "--data-dir",
            hdfs.uri("/mnist"),
            "--output",
            run,
            "--train-limit",
            String.valueOf(TRAIN),
            "--test-limit",
            String.valueOf(TEST),
            "--epochs",
            String.valueOf(EPOCHS)
        };
    }

    /** Runs {@code submit/yarn.sh} in the given deploy mode with two one-core executors; fails unless it exits 0. */
    private static void submit(String deployMode, String... command) {
        Scripts.Result result;
        try {
            result = start(deployMode, Map.of(), List.of(), command).await(RUN_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        SECONDS.put(command[0] + " (" + deployMode + ")", result.seconds());
        assertEquals(0, result.exitCode(), result.output());
    }

    /** Starts {@code submit/yarn.sh}; {@code sparkOptions} and {@code extraEnv} come on top of the usual ones. */
    private static Scripts.Running start(
            String deployMode, Map<String, String> extraEnv, List<String> sparkOptions, String... command) {
        String javaHome = System.getProperty("java.home");
        List<String> args = new ArrayList<>(sparkOptions);
        args.addAll(List.of(
                "--num-executors",
                "2",
                "--executor-cores",
                "1",
                // The NodeManagers run on this machine: the containers use the runtime's jars where they are
                "--conf",
                "spark.yarn.jars=local:" + sparkHome + "/jars/*",
                "--conf",
                "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome,
                "--conf",
                "spark.executorEnv.JAVA_HOME=" + javaHome,
                "--conf",
                "spark.driver.host=127.0.0.1",
                // A failed attempt must fail the test, not be hidden by a second one
                "--conf",
                "spark.yarn.maxAppAttempts=1",
                "--"));
        args.addAll(List.of(command));
        Map<String, String> env = new HashMap<>();
        env.put("SPARK_HOME", sparkHome);
        env.put("HADOOP_CONF_DIR", yarn.confDir().toString());
        env.put("DEPLOY_MODE", deployMode);
        env.put("JAVA_HOME", javaHome);
        env.putAll(extraEnv);
        try {
            Path log = Files.createTempFile(work, "yarn-submit-", ".log");
            return new Scripts(project).start(env, log, "submit/yarn.sh", args.toArray(String[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertRanOnYarn(JsonNode runJson) {
        JsonNode spark = runJson.get(RunJson.SPARK);
        assertEquals("yarn", spark.get(RunJson.MASTER).asText());
        assertTrue(spark.get(RunJson.APPLICATION_ID).asText().startsWith("application_"), spark.toString());
        assertEquals(2, spark.get(RunJson.EXECUTORS).asInt(), spark.toString());
    }

    private static OutputContract contract(String run) {
        return new OutputContract(
                run, hdfs.uri("/mnist"), hdfs.clientConfiguration(), TEST, EPOCHS, YarnEndToEndIT::reader);
    }

    private static Map<Integer, Integer> predictions(String run) {
        return OutputContract.predictedByIndex(reader(), run);
    }

    private static SparkSession reader() {
        return PredictionFixtures.localSpark(YarnEndToEndIT.class.getSimpleName());
    }
}
