package io.mnistspark.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS in this JVM: Hadoop's MiniDFSCluster (one NameNode, one DataNode) on 127.0.0.1 with ephemeral ports,
 * its blocks and metadata in a folder of its own that {@link #close()} deletes.
 */
final class MiniHdfs implements AutoCloseable {

    private final MiniDFSCluster cluster;
    private final Path dir;

    private MiniHdfs(MiniDFSCluster cluster, Path dir) {
        this.cluster = cluster;
        this.dir = dir;
    }

    static MiniHdfs start(Path dir) throws IOException {
        Configuration conf = new Configuration();
        // Loopback only, ports chosen by the OS; no web UIs to collide with a parallel run
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        MiniDFSCluster cluster =
                new MiniDFSCluster.Builder(conf, dir.toFile()).numDataNodes(1).build();
        cluster.waitActive();
        return new MiniHdfs(cluster, dir);
    }

    /** {@code hdfs://127.0.0.1:PORT} followed by {@code path}. */
    String uri(String path) {
        return cluster.getURI().toString() + path;
    }

    FileSystem fileSystem() throws IOException {
        return cluster.getFileSystem();
    }

    /** A client configuration whose default file system is this HDFS. */
    Configuration clientConfiguration() {
        Configuration conf = new Configuration();
        conf.set(FileSystem.FS_DEFAULT_NAME_KEY, cluster.getURI().toString());
        return conf;
    }

    /** Copies every regular file of the local folder {@code from} into the HDFS folder {@code to}. */
    void upload(Path from, String to) throws IOException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(to);
        fileSystem().mkdirs(target);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                fileSystem()
                        .copyFromLocalFile(
                                new org.apache.hadoop.fs.Path(file.toUri()),
                                new org.apache.hadoop.fs.Path(
                                        target, file.getFileName().toString()));
            }
        }
    }

    @Override
    public void close() {
        cluster.shutdown(true);
        try (Stream<Path> paths = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
