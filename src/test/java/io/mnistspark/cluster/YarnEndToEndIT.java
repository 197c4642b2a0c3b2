package io.mnistspark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.output.PredictionTables;
import io.mnistspark.output.RunJson;
import io.mnistspark.output.RunLayout;
import io.mnistspark.output.Tables;
import io.mnistspark.testing.OutputContract;
import io.mnistspark.testing.PredictionFixtures;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FSDataOutputStream;
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
 * application jar staged on HDFS by spark-submit and the executors in YARN containers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnEndToEndIT {

    private static final int TRAIN = 3_000;
    private static final int TEST = 500;
    private static final int EPOCHS = 1;
    private static final int DIGITS = 8;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);

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

        submit(
                "cluster",
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
                String.valueOf(EPOCHS));

        OutputContract contract = contract(run);
        contract.assertAll(0.5);
        assertRanOnYarn(contract.runJson());
    }

    @Test
    @Order(2)
    void train_inClientDeployMode_givesTheSameModelAsClusterMode() {
        String run = hdfs.uri("/runs/yarn-client");

        submit(
                "client",
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
                String.valueOf(EPOCHS));

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

        var images = PredictionFixtures.testImages(0, DIGITS);
        for (int i = 0; i < DIGITS; i++) {
            String csv = DigitCsv.write(DigitImage.fromGrey(images.greyValues(i)), DigitImage.Scale.UNIT);
            try (FSDataOutputStream out =
                    hdfs.fileSystem().create(new org.apache.hadoop.fs.Path(String.format("/digits/test%02d.csv", i)))) {
                out.write(csv.getBytes(StandardCharsets.UTF_8));
            }
        }
        String output = hdfs.uri("/runs/yarn-predict");
        submit("cluster", "predict", "--model", run, "--output", output, hdfs.uri("/digits/test*.csv"));
        List<Row> rows = reader().read()
                .parquet(RunLayout.entryOf(output, PredictionTables.FILE_PREDICTIONS)
                        .toString())
                .collectAsList();
        assertEquals(DIGITS, rows.size());
        for (Row row : rows) {
            String file = row.getAs(PredictionTables.FILE);
            int index = Integer.parseInt(file.replaceAll(".*test(\\d+)\\.csv$", "$1"));
            assertEquals(byRun.get(index).intValue(), (int) row.getAs(Tables.PREDICTED), file);
        }
    }

    /** Runs {@code submit/yarn.sh} in the given deploy mode with two one-core executors; fails unless it exits 0. */
    private static void submit(String deployMode, String... command) {
        String javaHome = System.getProperty("java.home");
        List<String> args = new ArrayList<>(List.of(
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
        Scripts.Result result =
                new Scripts(project).run(env, RUN_TIMEOUT, "submit/yarn.sh", args.toArray(String[]::new));
        SECONDS.put(command[0] + " (" + deployMode + ")", result.seconds());
        assertEquals(0, result.exitCode(), result.output());
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
        Map<Integer, Integer> byIndex = new TreeMap<>();
        reader().read()
                .parquet(RunLayout.entryOf(run, Tables.PREDICTIONS).toString())
                .collectAsList()
                .forEach(r -> byIndex.put(r.getAs(Tables.INDEX), r.getAs(Tables.PREDICTED)));
        return byIndex;
    }

    private static SparkSession reader() {
        return PredictionFixtures.localSpark(YarnEndToEndIT.class.getSimpleName());
    }
}
