package io.mnistspark.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real Spark standalone cluster (one Master, N Workers) on 127.0.0.1, started and stopped by
 * {@code submit/local-cluster.sh} with ports of its own and its state in a folder of its own. Remembers every process
 * it saw (daemons, executors, drivers) so that a test can prove nothing is left once it is closed.
 */
final class LocalCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Scripts scripts;
    private final Path dir;
    private final int workers;
    private final int[] ports; // master, master UI, workers..., worker UIs...
    private final Map<String, String> env = new HashMap<>();
    private final Set<Long> seen = new TreeSet<>();
    private boolean closed;

    private LocalCluster(Scripts scripts, Path dir, int workers, int coresPerWorker, String workerMemory) {
        this.scripts = scripts;
        this.dir = dir;
        this.workers = workers;
        this.ports = freePorts(2 + 2 * workers);
        env.put("LOCAL_CLUSTER_DIR", dir.toString());
        env.put("LOCAL_CLUSTER_WORKERS", String.valueOf(workers));
        env.put("LOCAL_CLUSTER_WORKER_CORES", String.valueOf(coresPerWorker));
        env.put("LOCAL_CLUSTER_WORKER_MEMORY", workerMemory);
        env.put("LOCAL_CLUSTER_DAEMON_MEMORY", "512m");
        env.put("LOCAL_CLUSTER_MASTER_PORT", String.valueOf(ports[0]));
        env.put("LOCAL_CLUSTER_MASTER_UI_PORT", String.valueOf(ports[1]));
        env.put("LOCAL_CLUSTER_WORKER_PORT", String.valueOf(ports[2]));
        env.put("LOCAL_CLUSTER_WORKER_UI_PORT", String.valueOf(ports[2 + workers]));
    }

    /** Starts the cluster and waits until every Worker is ALIVE; stops what it started when that fails. */
    static LocalCluster start(Scripts scripts, Path dir, int workers, int coresPerWorker, String workerMemory) {
        LocalCluster cluster = new LocalCluster(scripts, dir, workers, coresPerWorker, workerMemory);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::stopQuietly, "stop local cluster"));
        Scripts.Result started = cluster.script(START_TIMEOUT, "start");
        System.out.println(
                "submit/local-cluster.sh start (" + Math.round(started.seconds()) + " s):\n" + started.output());
        cluster.rememberProcesses();
        if (started.exitCode() != 0) {
            cluster.stopQuietly();
            throw new IllegalStateException("local cluster did not start:\n" + started.output());
        }
        return cluster;
    }

    Map<String, String> env() {
        return Map.copyOf(env);
    }

    Path dir() {
        return dir;
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + ports[0];
    }

    int workerUiPort(int worker) {
        return ports[2 + workers + worker - 1];
    }

    Scripts.Result script(Duration timeout, String... args) {
        return scripts.run(env, timeout, "submit/local-cluster.sh", args);
    }

    /** Starts {@code submit/local-cluster.sh submit ARGS...} with {@code extraEnv}, its output into {@code log}. */
    Scripts.Running submit(Map<String, String> extraEnv, Path log, String... args) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(extraEnv);
        String[] withCommand = new String[args.length + 1];
        withCommand[0] = "submit";
        System.arraycopy(args, 0, withCommand, 1, args.length);
        return scripts.start(all, log, "submit/local-cluster.sh", withCommand);
    }

    /** The Master's JSON page: workers, applications, drivers. */
    JsonNode masterState() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[1] + "/json/"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    long pid(String daemon) {
        try {
            return Long.parseLong(Files.readString(dir.resolve("pids").resolve(daemon + ".pid"))
                    .trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The executors (and drivers) a daemon launched, as processes. */
    List<ProcessHandle> children(String daemon) {
        return ProcessHandle.of(pid(daemon)).map(p -> p.descendants().toList()).orElse(List.of());
    }

    /**
     * Kills Worker {@code n} and everything it launched with SIGKILL, as when its machine dies; returns the executor
     * IDs that ran under it.
     */
    List<String> killWorker(int n) {
        rememberProcesses();
        String name = "worker-" + n;
        ProcessHandle worker =
                ProcessHandle.of(pid(name)).orElseThrow(() -> new IllegalStateException(name + " is gone"));
        List<ProcessHandle> launched = worker.descendants().toList();
        List<String> executorIds = new ArrayList<>();
        for (ProcessHandle child : launched) {
            List<String> args = List.of(child.info().arguments().orElse(new String[0]));
            int at = args.indexOf("--executor-id");
            if (at >= 0 && at + 1 < args.size()) {
                executorIds.add(args.get(at + 1));
            }
        }
        worker.destroyForcibly();
        launched.forEach(ProcessHandle::destroyForcibly);
        return executorIds;
    }

    /** Starts worker {@code n} again after {@link #killWorker}; returns once every Worker is ALIVE. */
    void restartWorker(int n) {
        Scripts.Result restarted = script(START_TIMEOUT, "restart-worker", String.valueOf(n));
        if (restarted.exitCode() != 0) {
            throw new IllegalStateException("restart-worker " + n + " failed:\n" + restarted.output());
        }
        rememberProcesses();
    }

    /** Adds the daemons and everything they launched to the processes this cluster must leave none of. */
    void rememberProcesses() {
        try (var pids = Files.list(dir.resolve("pids"))) {
            for (Path file : pids.toList()) {
                long pid = Long.parseLong(Files.readString(file).trim());
                seen.add(pid);
                ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> seen.add(d.pid())));
            }
        } catch (IOException e) {
            // no pids folder: nothing started
        }
    }

    /** Stops the cluster with the script; returns its result. Idempotent. */
    Scripts.Result stop() {
        rememberProcesses();
        closed = true;
        return script(STOP_TIMEOUT, "stop");
    }

    /** What is still there after {@link #stop()}: live processes it saw or that name its folder, open ports. */
    List<String> leftovers() {
        List<String> left = new ArrayList<>();
        for (long pid : seen) {
            ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .ifPresent(p -> left.add(
                            "process " + pid + ": " + p.info().commandLine().orElse("?")));
        }
        ProcessHandle.allProcesses()
                .filter(p -> !seen.contains(p.pid()))
                .filter(p -> p.info()
                        .commandLine()
                        .map(c -> c.contains(dir.toString()))
                        .orElse(false))
                .forEach(p -> left.add(
                        "process " + p.pid() + ": " + p.info().commandLine().orElse("?")));
        for (int port : ports) {
            if (listening(port)) {
                left.add("port " + port + " on 127.0.0.1 still open");
            }
        }
        return left;
    }

    Set<Long> processesSeen() {
        return Set.copyOf(seen);
    }

    @Override
    public void close() {
        if (!closed) {
            stop();
        }
    }

    private void stopQuietly() {
        if (closed) {
            return;
        }
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("could not stop the local cluster: " + e);
        }
    }

    @SuppressWarnings("AddressSelection") // an IPv4 literal: nothing to resolve; the cluster is on 127.0.0.1
    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * {@code count} ports free on 127.0.0.1 now, the worker ports consecutive as the script numbers them: a block
     * at a random base between 20000 and 32000: away from Spark's defaults and from Linux's ephemeral ports.
     */
    private static int[] freePorts(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            int[] block = new int[count];
            boolean free = true;
            for (int i = 0; i < count && free; i++) {
                block[i] = base + i;
                free = canBind(block[i]);
            }
            if (free) {
                return block;
            }
        }
        throw new IllegalStateException("no block of " + count + " free ports on 127.0.0.1");
    }

    @SuppressWarnings("AddressSelection") // an IPv4 literal: nothing to resolve; the cluster is on 127.0.0.1
    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    Optional<JsonNode> completedDriver(String state) {
        for (JsonNode driver : masterState().path("completeddrivers")) {
            if (state.equals(driver.path("state").asText())) {
                return Optional.of(driver);
            }
        }
        return Optional.empty();
    }
}
