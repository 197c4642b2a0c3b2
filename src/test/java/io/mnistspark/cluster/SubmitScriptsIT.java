package io.mnistspark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.backend.NativeBackendPlugin;
import io.mnistspark.cli.MnistCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The submit/ scripts stay in step with the code: each one's {@code --help} runs the built cluster jar through
 * spark-submit (so a stale main class or jar name fails here), the YARN and Kubernetes command lines carry the shared
 * settings, and the shared settings carry the Java 17 flags. SPARK_HOME is the one {@code submit/local-cluster.sh}
 * assembles from Maven.
 */
class SubmitScriptsIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final List<String> COMMANDS = List.of("train", "evaluate", "fetch-data", "predict");

    @TempDir
    static Path work;

    private static Scripts scripts;
    private static Path project;
    private static Path jar;
    private static Map<String, String> env;

    @BeforeAll
    static void sparkHome() {
        project = Scripts.projectFolder();
        scripts = new Scripts(project);
        jar = Scripts.clusterJar(project);
        // local-cluster.sh --help assembles target/spark-home (Spark's jars from Maven, bin/spark-submit)
        Scripts.Result help = scripts.run(
                Map.of("LOCAL_CLUSTER_DIR", work.resolve("cluster").toString()),
                TIMEOUT,
                "submit/local-cluster.sh",
                "--help");
        assertEquals(0, help.exitCode(), help.output());
        env = new HashMap<>();
        env.put("SPARK_HOME", project.resolve("target/spark-home").toString());
        env.put("MNIST_JAR", jar.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"standalone.sh", "yarn.sh", "kubernetes.sh", "local-cluster.sh"})
    void help_printsTheScriptsUsage_andTheCommandsOfTheBuiltJar(String script) {
        Scripts.Result help = scripts.run(env, TIMEOUT, "submit/" + script, "--help");

        System.out.println(help.output());
        assertEquals(0, help.exitCode(), help.output());
        assertTrue(help.output().contains("submit/" + script), help.output());
        assertTrue(help.output().contains("Usage: mnist-spark"), "the jar's own usage: " + help.output());
        COMMANDS.forEach(command -> assertTrue(help.output().contains(command), command + " in " + help.output()));
    }

    @Test
    void commandHelp_comesFromTheJar_withoutAnyCluster() {
        Scripts.Result help = scripts.run(env, TIMEOUT, "submit/yarn.sh", "train", "--help");

        assertEquals(0, help.exitCode(), help.output());
        assertTrue(help.output().contains("--train-limit"), help.output());
    }

    @Test
    void yarnCommandLine_hasTheMainClass_theSharedSettings_andItsOwn() {
        Map<String, String> yarn = new HashMap<>(env);
        yarn.put("DRY_RUN", "1");
        yarn.put("HADOOP_CONF_DIR", work.toString());

        Scripts.Result dry =
                scripts.run(yarn, TIMEOUT, "submit/yarn.sh", "--num-executors", "4", "--", "train", "--epochs", "3");

        assertEquals(0, dry.exitCode(), dry.output());
        String line = dry.output();
        assertTrue(line.contains("--master yarn --deploy-mode cluster"), line);
        assertTrue(line.contains("--class " + MnistCli.class.getName()), line);
        assertTrue(line.contains("spark.executor.extraJavaOptions="), line);
        assertTrue(line.contains("-Dorg.bytedeco.javacpp.platform.extension=-onednn"), line);
        assertTrue(line.contains("spark.yarn.appMasterEnv.OMP_NUM_THREADS=1"), line);
        assertTrue(line.contains("--num-executors 4 " + jar + " train --epochs 3"), line);
    }

    @Test
    void kubernetesCommandLine_needsAnImage_andUsesIt() {
        Map<String, String> k8s = new HashMap<>(env);
        k8s.put("DRY_RUN", "1");
        k8s.put("MASTER", "k8s://https://127.0.0.1:6443");
        k8s.put("MNIST_JAR", "local:///opt/mnist-spark/mnist-spark.jar");

        Scripts.Result noImage = scripts.run(k8s, TIMEOUT, "submit/kubernetes.sh", "train");
        k8s.put("CONTAINER_IMAGE", "registry.example/spark:3.5.9");
        Scripts.Result dry = scripts.run(k8s, TIMEOUT, "submit/kubernetes.sh", "train");

        assertTrue(noImage.exitCode() != 0 && noImage.output().contains("CONTAINER_IMAGE"), noImage.output());
        assertEquals(0, dry.exitCode(), dry.output());
        assertTrue(
                dry.output().contains("spark.kubernetes.container.image=registry.example/spark:3.5.9"), dry.output());
        assertTrue(dry.output().contains("local:///opt/mnist-spark/mnist-spark.jar train"), dry.output());
    }

    @Test
    void standalone_needsASparkMasterUrl() {
        Scripts.Result noMaster = scripts.run(env, TIMEOUT, "submit/standalone.sh", "train");

        assertTrue(noMaster.exitCode() != 0 && noMaster.output().contains("MASTER"), noMaster.output());
    }

    @Test
    void localClusterStatus_whenNothingRuns_exitsWith3() {
        Scripts.Result status = scripts.run(
                Map.of("LOCAL_CLUSTER_DIR", work.resolve("idle").toString()),
                TIMEOUT,
                "submit/local-cluster.sh",
                "status");

        assertEquals(3, status.exitCode(), status.output());
        assertTrue(status.output().contains("Not running"), status.output());
    }

    @Test
    void sharedSettings_giveDriverAndExecutorsEveryJava17Flag() throws IOException {
        String settings = Files.readString(project.resolve("conf/spark-defaults.conf"));
        for (String flag : Files.readAllLines(project.resolve("conf/java17.args"))) {
            if (!flag.isBlank()) {
                assertEquals(2, count(settings, flag.trim() + " "), flag + " in both extraJavaOptions");
            }
        }
    }

    @Test
    void sharedSettings_loadNd4jWhenEachExecutorStarts_fromAPluginInTheJar() throws IOException {
        String plugin = NativeBackendPlugin.class.getName();
        assertTrue(
                Files.readAllLines(project.resolve("conf/spark-defaults.conf")).stream()
                        .anyMatch(line ->
                                line.matches("spark\\.plugins\\s+.*\\b" + plugin.replace(".", "\\.") + "\\b.*")),
                "spark.plugins names " + plugin);
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            assertTrue(jarFile.getEntry(plugin.replace('.', '/') + ".class") != null, plugin + " in the jar");
        }
    }

    @Test
    void clusterJar_startsTheCli_andCarriesThePortableOneDnnBuildOnly() throws IOException {
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            assertEquals(
                    MnistCli.class.getName(),
                    jarFile.getManifest().getMainAttributes().getValue("Main-Class"));
            String bindings = "org/nd4j/linalg/cpu/nativecpu/bindings/";
            assertTrue(jarFile.stream().anyMatch(e -> e.getName().matches(bindings + "[^/]+-onednn/libnd4jcpu\\.so")));
            assertTrue(jarFile.stream().noneMatch(e -> e.getName().matches(bindings + "[^/]+-avx512/.*")));
            assertTrue(jarFile.getEntry("org/apache/spark/SparkContext.class") == null, "Spark is provided");
            assertTrue(jarFile.stream().noneMatch(e -> e.getName().startsWith("scala/")), "Scala is provided");
            assertTrue(
                    jarFile.stream().noneMatch(e -> e.getName().matches("META-INF/[^/]+\\.(SF|DSA|RSA)")),
                    "no signature files");
            assertTrue(jarFile.getEntry("META-INF/services/org.nd4j.linalg.factory.Nd4jBackend") != null);
        }
        System.out.printf("cluster jar %s: %.1f MB%n", jar.getFileName(), Files.size(jar) / 1e6);
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
