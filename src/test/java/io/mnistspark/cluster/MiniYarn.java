package io.mnistspark.cluster;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMApp;

/**
 * A real YARN in this JVM, the way Spark tests its own YARN support: Hadoop's MiniYARNCluster (one ResourceManager,
 * {@code nodeManagers} NodeManagers launching containers as local processes) on 127.0.0.1 with ephemeral ports, its
 * client configuration written to a folder that {@code spark-submit} reads as {@code HADOOP_CONF_DIR}, with the
 * given HDFS as the default file system (where spark-submit stages the application jar).
 */
final class MiniYarn implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(1);

    private final MiniYARNCluster cluster;
    private final Path confDir;

    private MiniYarn(MiniYARNCluster cluster, Path confDir) {
        this.cluster = cluster;
        this.confDir = confDir;
    }

    static MiniYarn start(String name, int nodeManagers, MiniHdfs hdfs, Path confDir) throws IOException {
        YarnConfiguration conf = new YarnConfiguration();
        conf.set(FileSystem.FS_DEFAULT_NAME_KEY, hdfs.uri("/"));
        // Each NodeManager offers 4 GB (MiniYARNCluster sets that itself): a driver or two executors of
        // conf/spark-defaults.conf's 1g + 1g each
        conf.setInt(YarnConfiguration.NM_VCORES, 2);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        // ND4J's native memory is what the containers' memoryOverhead is for: YARN's physical-memory check is on (a
        // MiniYARNCluster turns both checks off unless told to leave them to the configuration), the virtual one
        // (JVMs reserve far more address space than they use) off, as on most clusters.
        conf.setBoolean(YarnConfiguration.YARN_MINICLUSTER_CONTROL_RESOURCE_MONITORING, true);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, true);
        // "Strict" memory control (the default) leaves the limit to a memory cgroup and skips the NodeManager's own
        // polling check; there are no cgroups here, so without this no container would ever be stopped over its memory
        conf.setBoolean(YarnConfiguration.NM_MEMORY_RESOURCE_ENFORCED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        // This machine's disk may be fuller than a production node's: a NodeManager must not declare itself unhealthy.
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
        conf.setBoolean(YarnConfiguration.TIMELINE_SERVICE_ENABLED, false);
        // The capacity scheduler (YARN's default) with one queue that takes the whole cluster
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
        conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
        conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        // An application master may take the memory it needs: a cluster-mode driver is one of two applications' worth
        conf.setFloat("yarn.scheduler.capacity.maximum-am-resource-percent", 0.5f);
        MiniYARNCluster cluster = new MiniYARNCluster(name, nodeManagers, 1, 1);
        cluster.init(conf);
        cluster.start();
        MiniYarn yarn = new MiniYarn(cluster, confDir);
        yarn.writeClientConfiguration();
        return yarn;
    }

    /** The folder to give spark-submit as {@code HADOOP_CONF_DIR}. */
    Path confDir() {
        return confDir;
    }

    /** The live configuration: the ResourceManager's real ports once it has bound them. */
    Configuration configuration() {
        return cluster.getConfig();
    }

    private void writeClientConfiguration() throws IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (cluster.getConfig().get(YarnConfiguration.RM_ADDRESS, ":0").endsWith(":0")) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the ResourceManager did not bind its port in " + START_TIMEOUT);
            }
            sleep(100);
        }
        Files.createDirectories(confDir);
        // One file holds it all (HDFS's address included); spark-submit loads core-site.xml and yarn-site.xml
        for (String file : new String[] {"core-site.xml", "yarn-site.xml"}) {
            try (OutputStream out = Files.newOutputStream(confDir.resolve(file))) {
                cluster.getConfig().writeXml(out);
            }
        }
    }

    /** Processes still running from this cluster's folders: the containers' JVMs, which outlive a careless stop. */
    List<ProcessHandle> containerProcesses() {
        String workDir = cluster.getTestWorkDir().getAbsolutePath();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info()
                        .commandLine()
                        .map(line -> line.contains(workDir))
                        .orElse(false))
                .toList();
    }

    /** The application submitted last, and what the ResourceManager says of how it ended. */
    record Application(String id, String finalStatus, String diagnostics) {}

    Application lastApplication() {
        RMApp app = cluster.getResourceManager().getRMContext().getRMApps().values().stream()
                .max(Comparator.comparing(RMApp::getApplicationId))
                .orElseThrow(() -> new IllegalStateException("no application was submitted"));
        return new Application(
                app.getApplicationId().toString(),
                String.valueOf(app.getFinalApplicationStatus()),
                String.valueOf(app.getDiagnostics()));
    }

    /**
     * Everything the containers of one application wrote to their NodeManager's log folders (stdout, stderr), the way
     * {@code yarn logs -applicationId} shows it: the application master's log among them.
     */
    String containerLogs(String applicationId) throws IOException {
        StringBuilder logs = new StringBuilder();
        try (Stream<Path> paths = Files.walk(cluster.getTestWorkDir().toPath())) {
            for (Path file : paths.filter(Files::isRegularFile)
                    .filter(p -> p.toString().contains("-logDir-nm-"))
                    .filter(p -> p.toString().contains(File.separator + applicationId + File.separator))
                    .sorted()
                    .toList()) {
                logs.append("==> ").append(file).append('\n').append(Files.readString(file));
            }
        }
        return logs.toString();
    }

    /** Stops the ResourceManager and the NodeManagers (which stop their containers) and deletes their folders. */
    @Override
    public void close() throws IOException {
        File workDir = cluster.getTestWorkDir();
        cluster.stop();
        cluster.close();
        try (Stream<Path> paths = workDir.exists() ? Files.walk(workDir.toPath()) : Stream.empty()) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
