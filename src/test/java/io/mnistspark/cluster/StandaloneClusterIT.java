package io.mnistspark.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.Tables;
import io.mnistspark.testing.OutputContract;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
 * {@code train} on a real Spark standalone cluster of one Master and two Workers on 127.0.0.1, started and stopped
 * with {@code submit/local-cluster.sh} and submitted to with it (so through {@code submit/standalone.sh}, the
 * cluster jar {@code target/mnist-spark.jar} and Spark's launcher): in client mode, in cluster deploy mode, and with
 * a Worker killed by SIGKILL in the middle of training. Each run's output must keep the whole output contract, and
 * its Spark event log shows where the training tasks ran. Nothing may be left running afterwards.
 *
 * <p>Each Worker offers 2 cores and each application asks for 2 one-core executors, so that Spark's spread-out
 * scheduling puts one executor on each Worker even when a cluster-mode driver takes a core on one of them. Needs
 * the cluster jar ({@code mvn package}), bash, curl, and MNIST under {@code mnist.data.dir} (fetched when absent).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {

    private static final int TRAIN = 3_000;
    private static final int TEST = 500;
    private static final int EPOCHS = 2;
    private static final double MIN_ACCURACY = 0.5;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
    /** Kills that hit no training task are repeated, up to this many runs. */
    private static final int KILL_ATTEMPTS = 3;

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static Path project;
    private static Path mnist;
    private static LocalCluster cluster;
    private static SparkSession reader;
    private static double clientModeSeconds;

    @BeforeAll
    static void startCluster() throws IOException {
        project = Scripts.projectFolder();
        Scripts.clusterJar(project);
        mnist = TestData.mnist().toAbsolutePath();
        cluster = LocalCluster.start(new Scripts(project), work.resolve("cluster"), 2, 2, "3g");
    }

    @AfterAll
    static void stopClusterAndCheckNothingIsLeft() {
        try {
            if (cluster != null) {
                Scripts.Result stopped = cluster.stop();
                System.out.println("submit/local-cluster.sh stop:\n" + stopped.output());
                assertEquals(0, stopped.exitCode(), stopped.output());
                List<String> left = cluster.leftovers();
                assertEquals(List.of(), left, "left running after stop");
                System.out.println(
                        "Nothing left running: " + cluster.processesSeen().size()
                                + " processes seen (daemons, executors, drivers) are gone, the cluster's ports are closed");
                Scripts.Result status = cluster.script(Duration.ofSeconds(30), "status");
                assertEquals(3, status.exitCode(), status.output());
            }
        } finally {
            if (reader != null) {
                reader.stop();
            }
        }
    }

    @Test
    @Order(1)
    void clientMode_trainFinishes_outputContractHolds_andBothExecutorsRanTrainingTasks() throws Exception {
        Path events = Files.createDirectories(work.resolve("events-client"));
        Path output = work.resolve("client");

        Scripts.Result run = submit("client", events, output, EPOCHS).await(RUN_TIMEOUT);

        report("client mode", run);
        assertEquals(0, run.exitCode(), run.output());
        clientModeSeconds = run.seconds();
        assertTrue(run.output().contains("epoch 2/2  loss"), run.output());
        contract(output, EPOCHS).assertAll(MIN_ACCURACY);
        JsonNode json = contract(output, EPOCHS).runJson();
        assertEquals(cluster.masterUrl(), json.get("spark").get("master").asText());
        assertEquals(2, json.get("spark").get("executors").asInt());
        assertBothWorkersTrained(EventLog.readOnlyLogIn(events));
    }

    @Test
    @Order(2)
    void clusterDeployMode_driverRunsOnAWorker_trainFinishes_andOutputContractHolds() throws Exception {
        Path events = Files.createDirectories(work.resolve("events-cluster"));
        Path output = work.resolve("cluster-mode");

        Scripts.Result run = submit("cluster", events, output, 1).await(RUN_TIMEOUT);

        report("cluster deploy mode", run);
        assertEquals(0, run.exitCode(), run.output());
        JsonNode driver = cluster.completedDriver("FINISHED")
                .orElseGet(() -> fail("no FINISHED driver on the Master: " + cluster.masterState()));
        assertTrue(driver.path("worker").asText().startsWith("worker-"), driver.toString());
        contract(output, 1).assertAll(MIN_ACCURACY);
        assertEquals(
                cluster.masterUrl(),
                contract(output, 1).runJson().get("spark").get("master").asText());
        assertBothWorkersTrained(EventLog.readOnlyLogIn(events));
    }

    @Test
    @Order(3)
    void workerKilledMidTraining_retriesItsTask_andEndsEqualToTheRunWithoutTheKill() throws Exception {
        KilledRun killed = null;
        for (int attempt = 1; attempt <= KILL_ATTEMPTS; attempt++) {
            if (attempt > 1) {
                cluster.restartWorker(2);
            }
            killed = killWorker2MidTraining(attempt);
            if (killed.bit()) {
                break;
            }
            System.out.printf(
                    "WORKER KILL attempt %d hit no training task (no attempt failed): repeating it%n", attempt);
        }

        assertTrue(
                killed.bit(),
                "in " + KILL_ATTEMPTS + " attempts no kill made a training task fail and re-run: "
                        + killed.log().summary());
        // The retried task computes what the lost one would have: the run equals the client-mode run without a kill
        assertSameTraining(work.resolve("client"), killed.output());
    }

    @Test
    @Order(4)
    void driverKilledAfterItsFirstEpochsCheckpoint_resumes_andEndsEqualToTheRunWithoutTheKill() throws Exception {
        Path events = Files.createDirectories(work.resolve("events-driver-kill"));
        Path output = work.resolve("driver-killed");
        Path checkpoints = work.resolve(".driver-killed.checkpoints");
        Scripts.Running running = submit("client", events, output, EPOCHS);
        Path first = awaitCheckpoint(running, checkpoints, 1);
        // SIGKILL to the client-mode driver (spark-submit's JVM) and the script around it
        running.process().descendants().forEach(ProcessHandle::destroyForcibly);
        running.process().destroyForcibly().waitFor();
        double killedAt = (System.nanoTime() - running.startNanos()) / 1e9;
        assertFalse(Files.exists(output), "the killed driver wrote no output");
        assertTrue(first.getFileName().toString().startsWith("epoch-0001-"), first.toString());

        Scripts.Result resumed = submit("client", events, output, EPOCHS, List.of(), List.of("--resume"))
                .await(RUN_TIMEOUT);

        report("driver killed after epoch 1's checkpoint, then resumed", resumed);
        System.out.printf(
                "DRIVER KILL: SIGKILL to the driver %.1f s into the run, after checkpoint %s; the resumed "
                        + "run took %.1f s%n",
                killedAt, first.getFileName(), resumed.seconds());
        assertEquals(0, resumed.exitCode(), resumed.output());
        assertTrue(resumed.output().contains("resuming after epoch 1 round"), resumed.output());
        contract(output, EPOCHS).assertAll(MIN_ACCURACY);
        assertSameTraining(work.resolve("client"), output);
    }

    /** Waits until the run has written the complete checkpoint of {@code epoch}'s end; returns its folder. */
    private static Path awaitCheckpoint(Scripts.Running running, Path checkpoints, int epoch) throws Exception {
        String prefix = String.format("epoch-%04d-", epoch);
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(checkpoints)) {
                try (var entries = Files.list(checkpoints)) {
                    var found = entries.filter(p -> p.getFileName().toString().startsWith(prefix))
                            .filter(p -> Files.exists(p.resolve("MANIFEST")))
                            .findFirst();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
            }
            assertTrue(
                    running.process().isAlive(),
                    "the run ended before its checkpoint of epoch " + epoch + ":\n" + running.outputSoFar());
            Thread.sleep(50);
        }
        throw new AssertionError("no checkpoint of epoch " + epoch + " in " + checkpoints);
    }

    /** One run with worker-2 and its executor killed by SIGKILL while that executor runs a training task. */
    private KilledRun killWorker2MidTraining(int attempt) throws Exception {
        Path events = Files.createDirectories(work.resolve("events-kill-" + attempt));
        Path output = work.resolve("worker-killed-" + attempt);
        int uiPort = freePort();
        Scripts.Running running = submit("client", events, output, EPOCHS, "--conf", "spark.ui.port=" + uiPort);
        boolean inTask = waitUntilTraining(uiPort, cluster.workerUiPort(2), running);
        double killedAt = (System.nanoTime() - running.startNanos()) / 1e9;
        List<String> killedExecutors = cluster.killWorker(2);
        int epoch = 1
                + (int) running.outputSoFar()
                        .lines()
                        .filter(line -> line.startsWith("epoch "))
                        .count();
        Scripts.Result run = running.await(RUN_TIMEOUT);

        report("worker-2 killed (attempt " + attempt + ")", run);
        assertEquals(0, run.exitCode(), run.output());
        contract(output, EPOCHS).assertAll(MIN_ACCURACY);
        EventLog log = EventLog.readOnlyLogIn(events);
        System.out.println(log.summary());
        List<EventLog.TaskEnd> failedTraining = log.failedAttempts().stream()
                .filter(t -> EventLog.TRAINING_STAGE.test(log.stageNames().get(t.stageId())))
                .toList();
        System.out.printf(
                "WORKER KILL: SIGKILL to worker-2 and its executor %s %.1f s into the run (epoch %d), %s; "
                        + "%d training task attempts failed %s in %s, %d task attempts re-ran work (retries %d, resubmitted "
                        + "stages %s); run took %.1f s against %.1f s without the kill (%+.1f s)%n",
                killedExecutors,
                killedAt,
                epoch,
                inTask ? "while it ran a training task" : "not seen in a task",
                failedTraining.size(),
                log.failureReasons(),
                failedTraining.stream()
                        .map(t -> log.stageNames().get(t.stageId()))
                        .distinct()
                        .toList(),
                log.rerunAttempts().size(),
                log.retryAttempts().size(),
                log.resubmittedStages(),
                run.seconds(),
                clientModeSeconds,
                run.seconds() - clientModeSeconds);
        assertTrue(inTask, "worker-2's executor was never seen running a training task");
        assertFalse(killedExecutors.isEmpty(), "worker-2 ran no executor when it was killed");
        assertTrue(
                log.executorsRemoved().keySet().containsAll(killedExecutors),
                "Spark noticed the lost executors " + killedExecutors + ": " + log.executorsRemoved());
        // A kill in the last milliseconds of a task, after its result left, costs no retry: it tested nothing, and
        // the caller repeats it.
        return new KilledRun(
                output, log, !failedTraining.isEmpty() && !log.rerunAttempts().isEmpty());
    }

    private record KilledRun(Path output, EventLog log, boolean bit) {}

    /** The same final parameters to the bit and the same predictions: the same training, whatever befell it. */
    private static void assertSameTraining(Path expected, Path actual) {
        MultiLayerNetwork a = ModelStore.load(expected.toString(), new Configuration());
        MultiLayerNetwork b = ModelStore.load(actual.toString(), new Configuration());
        assertArrayEquals(a.params().data().asFloat(), b.params().data().asFloat(), 0f, "parameters");
        assertEquals(sortedRows(expected, Tables.PREDICTIONS), sortedRows(actual, Tables.PREDICTIONS));
    }

    private static List<String> sortedRows(Path run, String table) {
        return reader().read().parquet(run.resolve(table).toString()).collectAsList().stream()
                .map(Row::toString)
                .sorted()
                .toList();
    }

    /** Both executors, one on each Worker, ran successful training tasks. */
    private static void assertBothWorkersTrained(EventLog log) {
        System.out.println(log.summary());
        assertTrue(log.applicationEnded(), "the application ended cleanly");
        Map<String, Long> training = log.successfulTasksPerExecutor(EventLog.TRAINING_STAGE);
        assertEquals(2, training.size(), "executors that ran training tasks: " + training);
        Set<String> workerPorts = training.keySet().stream()
                .map(id -> log.executorLogUrls().get(id))
                .map(url -> url.replaceAll("^https?://[^:/]+:(\\d+)/.*$", "$1"))
                .collect(Collectors.toSet());
        assertEquals(
                Set.of(String.valueOf(cluster.workerUiPort(1)), String.valueOf(cluster.workerUiPort(2))),
                workerPorts,
                "the training executors ran on both Workers: " + log.executorLogUrls());
    }

    private static Scripts.Running submit(
            String deployMode, Path events, Path output, int epochs, String... sparkOptions) throws IOException {
        return submit(deployMode, events, output, epochs, List.of(sparkOptions), List.of());
    }

    private static Scripts.Running submit(
            String deployMode,
            Path events,
            Path output,
            int epochs,
            List<String> sparkOptions,
            List<String> trainOptions)
            throws IOException {
        List<String> args = new ArrayList<>(Scripts.TWO_EXECUTORS);
        args.addAll(sparkOptions);
        args.addAll(List.of(
                "--",
                "train",
                "--data-dir",
                mnist.toString(),
                "--output",
                output.toString(),
                "--train-limit",
                String.valueOf(TRAIN),
                "--test-limit",
                String.valueOf(TEST),
                "--epochs",
                String.valueOf(epochs)));
        args.addAll(TestData.SMALL_SLICE_SETTINGS);
        args.addAll(trainOptions);
        Path log = work.resolve("submit-" + output.getFileName() + (trainOptions.isEmpty() ? "" : "-resumed") + ".log");
        Scripts.Running running = cluster.submit(
                Map.of(
                        "DEPLOY_MODE",
                        deployMode,
                        "SPARK_EVENT_LOG_DIR",
                        events.toString(),
                        "MNIST_JAR",
                        Scripts.clusterJar(project).toString()),
                log,
                args.toArray(String[]::new));
        return running;
    }

    /**
     * Polls the driver's REST API until the executor on worker-2 (web UI port {@code workerUiPort}) runs a task of a
     * training stage, and is busy with it; false when that did not happen while the job ran.
     */
    private static boolean waitUntilTraining(int driverUiPort, int workerUiPort, Scripts.Running running)
            throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + driverUiPort + "/api/v1/applications";
        String app = null;
        String victim = null;
        while (running.process().isAlive()) {
            try {
                if (app == null) {
                    app = get(http, api).path(0).path("id").asText(null);
                }
                if (victim == null && app != null) {
                    victim = executorOnWorker(get(http, api + "/" + app + "/executors"), workerUiPort);
                }
                if (victim != null && runsATrainingTask(http, api + "/" + app, victim) && busy("worker-2")) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // the UI is not up yet, or a stage ended between two requests
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static String executorOnWorker(JsonNode executors, int workerUiPort) {
        for (JsonNode executor : executors) {
            if (executor.path("executorLogs").path("stdout").asText().contains("127.0.0.1:" + workerUiPort + "/")) {
                return executor.path("id").asText();
            }
        }
        return null;
    }

    /** Whether the driver's UI shows a task of an active training stage running on executor {@code id}. */
    private static boolean runsATrainingTask(HttpClient http, String app, String id)
            throws IOException, InterruptedException {
        for (JsonNode stage : get(http, app + "/stages?status=active")) {
            if (EventLog.TRAINING_STAGE.test(stage.path("name").asText())
                    && stage.path("numActiveTasks").asInt() > 0) {
                String tasks = app + "/stages/" + stage.path("stageId").asInt() + "/"
                        + stage.path("attemptId").asInt() + "/taskList?length=100";
                for (JsonNode task : get(http, tasks)) {
                    if ("RUNNING".equals(task.path("status").asText())
                            && id.equals(task.path("executorId").asText())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether the executor JVMs under {@code worker} are busy, so still in their task (see Processes.busy). */
    private static boolean busy(String worker) throws InterruptedException {
        return Processes.busy(cluster.children(worker));
    }

    private static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + ": HTTP " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void report(String what, Scripts.Result run) {
        cluster.rememberProcesses();
        System.out.printf("=== %s: exit code %d, %.1f s%n%s%n", what, run.exitCode(), run.seconds(), run.output());
    }

    private static OutputContract contract(Path output, int epochs) {
        return new OutputContract(output, mnist, TEST, epochs, StandaloneClusterIT::reader);
    }

    /** A local session in this JVM that reads the Parquet tables back. */
    private static synchronized SparkSession reader() {
        if (reader == null || reader.sparkContext().isStopped()) {
            reader = SparkSession.builder()
                    .master("local[1]")
                    .appName("StandaloneClusterIT")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
        }
        return reader;
    }
}
