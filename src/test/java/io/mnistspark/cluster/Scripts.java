package io.mnistspark.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the project's bash scripts (submit/*.sh) from the project folder, their output into a file. */
final class Scripts {

    /** What a script did: its exit code, everything it printed (stdout and stderr), and how long it took. */
    record Result(int exitCode, String output, double seconds) {}

    /** A script still running, its output going to {@code log}. */
    record Running(Process process, Path log, long startNanos) {

        String outputSoFar() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits for the script; past the timeout it and everything it started is killed and the exit code is -1. */
        Result await(Duration timeout) throws InterruptedException {
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            return new Result(finished ? process.exitValue() : -1, outputSoFar(), seconds);
        }
    }

    private final Path project;

    Scripts(Path project) {
        this.project = project;
    }

    Path project() {
        return project;
    }

    /** Starts {@code bash SCRIPT ARGS...} in the project folder with {@code env} added to this JVM's environment. */
    Running start(Map<String, String> env, Path log, String script, String... args) {
        List<String> command =
                new ArrayList<>(List.of("bash", project.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        try {
            return new Running(builder.start(), log, System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
    }

    Result run(Map<String, String> env, Duration timeout, String script, String... args) {
        try {
            Path log = Files.createTempFile("mnist-script-", ".log");
            try {
                return start(env, log, script, args).await(timeout);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + script, e);
        }
    }

    /** Two executors of one core each on the local cluster's two Workers: spark-submit options. */
    static final List<String> TWO_EXECUTORS =
            List.of("--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2");

    /** The cluster jar that {@code mvn package} builds; fails the test when it is missing. */
    static Path clusterJar(Path project) {
        Path jar = project.resolve("target/mnist-spark.jar");
        assertTrue(Files.isRegularFile(jar), () -> jar + " missing: run 'mvn package' (mvn verify builds it first)");
        return jar;
    }

    /** The project folder: the system property {@code basedir} that failsafe sets, else the working directory. */
    static Path projectFolder() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }
}
