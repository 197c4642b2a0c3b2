package io.mnistspark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.cli.ExitCodes;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code doctor} on a real standalone cluster of two Workers, submitted with {@code submit/local-cluster.sh}: it passes
 * with the shared settings and both executors answer; with one deliberate fault of each kind it fails (or, for the
 * oneDNN switch, warns) on the line that names it: an executor whose javacpp maxphysicalbytes is below its heap, a
 * data folder that does not exist, an output folder whose parent cannot be written, mnist-spark's kernels switched
 * off. Needs the cluster jar ({@code mvn package}). Also that {@code submit predict} makes its positional CSV inputs
 * absolute, as it does the paths of options (with {@code DRY_RUN=1}: nothing is submitted).
 */
class DoctorClusterIT {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    static Path work;

    private static Path project;
    private static Path mnist;
    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        project = Scripts.projectFolder();
        Scripts.clusterJar(project);
        mnist = TestData.mnist().toAbsolutePath();
        cluster = LocalCluster.start(new Scripts(project), work.resolve("cluster"), 2, 2, "3g");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            awaitNoApplication();
            Scripts.Result stopped = cluster.stop();
            System.out.println("submit/local-cluster.sh stop:\n" + stopped.output());
            assertEquals(0, stopped.exitCode(), stopped.output());
            assertEquals(List.of(), cluster.leftovers(), "left running after stop");
        }
    }

    /** Lets the Workers finish tearing the last application's executors down, so that stop finds only Spark's. */
    private static void awaitNoApplication() {
        for (int i = 0; i < 60 && cluster.masterState().path("activeapps").size() > 0; i++) {
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Scripts.Result doctor(
            String name, Map<String, String> env, List<String> sparkOptions, String... doctorOptions)
            throws InterruptedException {
        List<String> args = new ArrayList<>(Scripts.TWO_EXECUTORS);
        args.addAll(sparkOptions);
        args.add("--");
        args.add("doctor");
        args.addAll(List.of(doctorOptions));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("MNIST_JAR", Scripts.clusterJar(project).toString());
        Scripts.Result result = cluster.submit(
                        all, work.resolve("doctor-" + name + ".log"), args.toArray(String[]::new))
                .await(RUN_TIMEOUT);
        System.out.println(
                "doctor on the cluster, " + name + " (" + Math.round(result.seconds()) + " s):\n" + result.output());
        return result;
    }

    private static List<String> lines(Scripts.Result result, String check, String status) {
        return result.output()
                .lines()
                .filter(line -> line.startsWith(check + " ") && line.contains("  " + status + " "))
                .toList();
    }

    @Test
    void submitPredict_dryRun_makesItsCsvInputsAbsolute_andLeavesHadoopPathsAsTheyAre() throws Exception {
        Map<String, String> env =
                Map.of("DRY_RUN", "1", "MNIST_JAR", Scripts.clusterJar(project).toString());

        // The script runs in the project folder: relative paths are relative to it
        Scripts.Result dry = cluster.submit(
                        env,
                        work.resolve("predict-dry-run.log"),
                        "predict",
                        "--model",
                        "runs/m",
                        "a.csv",
                        "digits/",
                        "hdfs:///d/*.csv",
                        "--master",
                        "local[2]",
                        "b.csv")
                .await(RUN_TIMEOUT);

        assertEquals(0, dry.exitCode(), dry.output());
        String here = "file:" + project.toRealPath();
        String line = dry.output().strip();
        assertTrue(
                line.endsWith(" predict --model " + here + "/runs/m " + here + "/a.csv " + here + "/digits "
                        + "hdfs:///d/\\*.csv --master local\\[2\\] " + here + "/b.csv"),
                line);
    }

    @Test
    void doctor_withTheSharedSettings_passes_andBothExecutorsAnswer() throws Exception {
        Scripts.Result result = doctor(
                "healthy",
                Map.of(),
                List.of(),
                "--data-dir",
                mnist.toString(),
                "--output",
                work.resolve("out").toString());

        assertEquals(ExitCodes.OK, result.exitCode(), result.output());
        assertTrue(result.output().contains(" 0 fail "), result.output());
        assertEquals(1, lines(result, "executors", "ok").size(), result.output());
        assertTrue(lines(result, "executors", "ok").get(0).contains("2 executor(s) answered"), result.output());
        assertEquals(2, lines(result, "training step", "ok").size(), result.output());
        assertEquals(
                2,
                lines(result, "data readable", "ok").stream()
                        .filter(l -> l.contains("executor"))
                        .count());
        assertTrue(result.output().contains("Advice: "), result.output());
    }

    @Test
    void doctor_withOneFaultOfEachKind_failsNamingEach_andWarnsForTheOneDnnSwitch() throws Exception {
        String missingData = work.resolve("no-such-mnist").toString();
        String readOnlyOutput = "/proc/mnist-doctor-it/run"; // not even root creates files in /proc

        // Executors of 2g heap under the shared settings' maxphysicalbytes=1800m
        Scripts.Result result = doctor(
                "faults",
                Map.of("MNIST_ONEDNN_DIRECT", "false"),
                List.of("--conf", "spark.executor.memory=2g"),
                "--data-dir",
                missingData,
                "--output",
                readOnlyOutput);

        assertEquals(ExitCodes.BAD_INPUT, result.exitCode(), result.output());
        List<String> limits = lines(result, "javacpp limits", "fail");
        assertEquals(2, limits.size(), result.output());
        limits.forEach(line -> assertTrue(
                line.contains("below the heap")
                        && line.contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=")
                        && line.contains("spark.executor.extraJavaOptions"),
                line));
        List<String> data = lines(result, "data readable", "fail");
        assertEquals(3, data.size(), "the driver and both executors: " + result.output());
        data.forEach(line -> assertTrue(line.contains(missingData), line));
        List<String> output = lines(result, "output writable", "fail");
        assertEquals(2, output.size(), result.output());
        output.forEach(line -> assertTrue(line.contains(readOnlyOutput) && line.contains("--output"), line));
        List<String> kernels = lines(result, "mnist onednn kernels", "warn");
        assertEquals(1, kernels.size(), result.output());
        assertTrue(kernels.get(0).contains("MNIST_ONEDNN_DIRECT=false"), kernels.get(0));
    }
}
