package io.mnistspark.cluster;

import io.mnistspark.data.Slice;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.testing.PredictionFixtures;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
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

    /**
     * Writes the first {@code count} MNIST test images as digit CSVs {@code dir/testNN.csv} in {@code scale}, for
     * predict to read from HDFS.
     */
    void writeTestDigitCsvs(String dir, int count, DigitImage.Scale scale) throws IOException {
        Slice images = PredictionFixtures.testImages(0, count);
        for (int i = 0; i < count; i++) {
            String csv = DigitCsv.write(DigitImage.fromGrey(images.greyValues(i)), scale);
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir, String.format("test%02d.csv", i));
            try (FSDataOutputStream out = fileSystem().create(file)) {
                out.write(csv.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** The test image a CSV written by {@link #writeTestDigitCsvs} shows, from its file name. */
    static int testImageOf(String csvFile) {
        return Integer.parseInt(csvFile.replaceAll(".*test(\\d+)\\.csv$", "$1"));
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
