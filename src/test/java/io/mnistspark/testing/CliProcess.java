package io.mnistspark.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * mnist-spark's command line in a JVM of its own, as {@code submit/local.sh} starts it (Java 17 flags, the project's
 * logging), so that a test can kill it with SIGKILL as a crash or a preemption would.
 */
public final class CliProcess {

    private final Process process;
    private final Path log;

    private CliProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mnist-spark ARGS}, its output going to {@code log}. */
    public static CliProcess start(Path log, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("conf/java17.args").toAbsolutePath(),
                "-Xmx3g",
                "-Dlog4j2.configurationFile="
                        + Path.of("conf/log4j2.properties").toAbsolutePath(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.mnistspark.cli.MnistCli"));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("OMP_NUM_THREADS", "1");
            builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            return new CliProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs {@code mnist-spark ARGS} to its end; returns its exit code. */
    public static int run(Path log, Duration timeout, String... args) {
        return start(log, args).awaitExit(timeout);
    }

    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after " + timeout + "; see " + log);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGKILL: the JVM gets no chance to clean up, as in a crash. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
