package io.mnistspark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnistspark.testing.OutputContract;
import io.mnistspark.testing.TestData;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.spark.sql.SparkSession;
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TWO_EXECUTORS =
            List.of("--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2");

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
        Path jar = project.resolve("target/mnist-spark.jar");
        assertTrue(Files.isRegularFile(jar), () -> jar + " missing: run 'mvn package' (mvn verify builds it first)");
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
                System.out.println("Nothing left running: " + cluster.processesSeen().size()
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
        assertEquals(cluster.masterUrl(), contract(output, 1).runJson().get("spark").get("master").asText());
        assertBothWorkersTrained(EventLog.readOnlyLogIn(events));
    }

    @Test
    @Order(3)
    void workerKilledMidTraining_jobStillFinishes_withAValidOutput() throws Exception {
        Path events = Files.createDirectories(work.resolve("events-kill"));
        Path output = work.resolve("worker-killed");

        // Kill worker-2 and its executor in the second epoch, while that executor runs a training task
        int uiPort = freePort();
        Scripts.Running running = submit("client", events, output, EPOCHS, "--conf", "spark.ui.port=" + uiPort);
        waitForOutput(running, "epoch 1/2  loss");
        boolean inTask = waitUntilTraining(uiPort, cluster.workerUiPort(2), running);
        double killedAt = (System.nanoTime() - running.startNanos()) / 1e9;
        List<String> killedExecutors = cluster.killWorker(2);
        Scripts.Result run = running.await(RUN_TIMEOUT);

        report("worker-2 killed", run);
        assertEquals(0, run.exitCode(), run.output());
        contract(output, EPOCHS).assertAll(MIN_ACCURACY);
        EventLog log = EventLog.readOnlyLogIn(events);
        System.out.println(log.summary());
        System.out.printf("WORKER KILL: SIGKILL to worker-2 and its executor %s %.1f s into the run, %s; "
                + "%d task attempts failed %s, %d task attempts re-ran work (retries %d, resubmitted stages %s); "
                + "run took %.1f s against %.1f s without the kill (%+.1f s)%n",
                killedExecutors, killedAt, inTask ? "while it ran a training task" : "between training tasks",
                log.failedAttempts().size(), log.failureReasons(),
                log.rerunAttempts().size(), log.retryAttempts().size(), log.resubmittedStages(),
                run.seconds(), clientModeSeconds, run.seconds() - clientModeSeconds);
        assertTrue(inTask, "worker-2's executor never ran a training task in the second epoch");
        assertFalse(killedExecutors.isEmpty(), "worker-2 ran no executor when it was killed");
        assertTrue(log.executorsRemoved().keySet().containsAll(killedExecutors),
                "Spark noticed the lost executors " + killedExecutors + ": " + log.executorsRemoved());
        assertFalse(log.failedAttempts().isEmpty(), "the task running on the killed executor failed");
        assertFalse(log.rerunAttempts().isEmpty(), "and ran again elsewhere");
    }

    /** Both executors, one on each Worker, ran successful training tasks. */
    private static void assertBothWorkersTrained(EventLog log) {
        System.out.println(log.summary());
        assertTrue(log.applicationEnded(), "the application ended cleanly");
        Map<String, Long> training = log.successfulTasksPerExecutor(EventLog.TRAINING_STAGE);
        assertEquals(2, training.size(), "executors that ran training tasks: " + training);
        Set<String> workerPorts = training.keySet().stream().map(id -> log.executorLogUrls().get(id))
                .map(url -> url.replaceAll("^https?://[^:/]+:(\\d+)/.*$", "$1")).collect(Collectors.toSet());
        assertEquals(Set.of(String.valueOf(cluster.workerUiPort(1)), String.valueOf(cluster.workerUiPort(2))),
                workerPorts, "the training executors ran on both Workers: " + log.executorLogUrls());
    }

    private static Scripts.Running submit(String deployMode, Path events, Path output, int epochs,
            String... sparkOptions) throws IOException {
        List<String> args = new ArrayList<>(TWO_EXECUTORS);
        args.addAll(List.of(sparkOptions));
        args.addAll(List.of("--", "train", "--data-dir", mnist.toString(), "--output", output.toString(),
                "--train-limit", String.valueOf(TRAIN), "--test-limit", String.valueOf(TEST),
                "--epochs", String.valueOf(epochs)));
        Path log = work.resolve("submit-" + output.getFileName() + ".log");
        Scripts.Running running = cluster.submit(Map.of("DEPLOY_MODE", deployMode,
                "SPARK_EVENT_LOG_DIR", events.toString(),
                "MNIST_JAR", project.resolve("target/mnist-spark.jar").toString()), log, args.toArray(String[]::new));
        return running;
    }

    private static void waitForOutput(Scripts.Running running, String text) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (!running.outputSoFar().contains(text)) {
            if (!running.process().isAlive() || System.nanoTime() > deadline) {
                fail("no '" + text + "' in the job's output:\n" + running.outputSoFar());
            }
            Thread.sleep(100);
        }
        cluster.rememberProcesses();
    }

    /**
     * Polls the driver's REST API until the executor on the Worker with web UI port {@code workerUiPort} runs a task
     * of a training stage; false when that did not happen within a minute.
     */
    private static boolean waitUntilTraining(int driverUiPort, int workerUiPort, Scripts.Running running)
            throws InterruptedException {
        String api = "http://127.0.0.1:" + driverUiPort + "/api/v1/applications";
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline && running.process().isAlive()) {
            try {
                String app = get(api).path(0).path("id").asText();
                boolean training = false;
                for (JsonNode stage : get(api + "/" + app + "/stages?status=active")) {
                    training |= EventLog.TRAINING_STAGE.test(stage.path("name").asText())
                            && stage.path("numActiveTasks").asInt() > 0;
                }
                for (JsonNode executor : get(api + "/" + app + "/executors")) {
                    if (training && executor.path("activeTasks").asInt() > 0 && executor.path("executorLogs")
                            .path("stdout").asText().contains("127.0.0.1:" + workerUiPort + "/")) {
                        return true;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the UI is not up yet, or the application is between stages
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
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
            reader = SparkSession.builder().master("local[1]").appName("StandaloneClusterIT")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        }
        return reader;
    }
}
