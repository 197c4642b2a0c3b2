package io.mnistspark.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finds, validates and reads the MNIST IDX files of a data folder on any Hadoop file system (local, HDFS, S3), each file
 * plain or gzipped ({@code name.gz}).
 */
public final class MnistFiles {

    private static final String GZIP_SUFFIX = ".gz";

    private MnistFiles() {}

    /** The two files of one split, as fully qualified Hadoop paths. */
    public record SplitFiles(Split split, String images, String labels) implements Serializable {}

    /** A split that passed validation: how many examples it has and the SHA-256 of each file's (unzipped) bytes. */
    public record SplitSummary(SplitFiles files, int count, String imagesSha256, String labelsSha256) {}

    /** Locates the split's files under {@code dataDir}, preferring the plain file when both plain and .gz exist. */
    public static SplitFiles locate(String dataDir, Split split, Configuration conf) {
        return new SplitFiles(
                split, locateOne(dataDir, split.imagesFile(), conf), locateOne(dataDir, split.labelsFile(), conf));
    }

    /**
     * Reads both files of a split end to end: checks magic numbers, dimensions, that the counts agree, that no byte is
     * missing or left over and that every label is a digit; hashes the content on the way.
     */
    public static SplitSummary inspect(SplitFiles files, Configuration conf) {
        try {
            MessageDigest imagesDigest = Sha256.digest();
            int images;
            try (InputStream in = new DigestInputStream(open(files.images(), conf), imagesDigest)) {
                images = MnistIdx.readImagesHeader(in, files.images());
                consumeExactly(in, (long) images * MnistIdx.PIXELS, files.images(), images + " images");
            }
            MessageDigest labelsDigest = Sha256.digest();
            int labels;
            try (InputStream in = new DigestInputStream(open(files.labels(), conf), labelsDigest)) {
                labels = MnistIdx.readLabelsHeader(in, files.labels());
                MnistIdx.checkLabels(MnistIdx.readFully(in, labels, files.labels()), 0, files.labels());
                consumeExactly(in, 0, files.labels(), labels + " labels");
            }
            if (images != labels) {
                throw new IdxFormatException(String.format(
                        "%s holds %d images but %s holds %d labels", files.images(), images, files.labels(), labels));
            }
            return new SplitSummary(files, images, Sha256.hex(imagesDigest), Sha256.hex(labelsDigest));
        } catch (IOException e) {
            throw new IdxFormatException(
                    "Cannot read " + files.split() + " files " + files.images() + ", " + files.labels() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Reads images {@code [start, start + count)} and their labels; seeks in plain files, skips in gzipped ones. */
    public static Slice readSlice(SplitFiles files, int start, int count, Configuration conf) {
        try {
            byte[] pixels;
            try (InputStream in =
                    openAt(files.images(), MnistIdx.IMAGES_HEADER_BYTES, (long) start * MnistIdx.PIXELS, conf)) {
                pixels = MnistIdx.readFully(in, count * MnistIdx.PIXELS, files.images());
            }
            byte[] labels;
            try (InputStream in = openAt(files.labels(), MnistIdx.LABELS_HEADER_BYTES, start, conf)) {
                labels = MnistIdx.readFully(in, count, files.labels());
            }
            MnistIdx.checkLabels(labels, start, files.labels());
            return new Slice(start, pixels, labels);
        } catch (IOException e) {
            throw new IdxFormatException(
                    "Cannot read images " + start + "-" + (start + count - 1) + " of " + files.images() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Opens a file for reading, unzipping it when its name ends in .gz. */
    public static InputStream open(String path, Configuration conf) throws IOException {
        Path hadoopPath = new Path(path);
        InputStream raw = hadoopPath.getFileSystem(conf).open(hadoopPath);
        InputStream buffered = new BufferedInputStream(raw, 1 << 16);
        return path.endsWith(GZIP_SUFFIX)
                ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16)
                : buffered;
    }

    private static InputStream openAt(String path, int headerBytes, long offset, Configuration conf)
            throws IOException {
        if (path.endsWith(GZIP_SUFFIX)) {
            InputStream in = open(path, conf);
            MnistIdx.skipFully(in, headerBytes + offset, path);
            return in;
        }
        Path hadoopPath = new Path(path);
        FSDataInputStream in = hadoopPath.getFileSystem(conf).open(hadoopPath);
        in.seek(headerBytes + offset);
        return new BufferedInputStream(in, 1 << 16);
    }

    private static String locateOne(String dataDir, String name, Configuration conf) {
        Path dir = new Path(dataDir);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            for (String candidate : new String[] {name, name + GZIP_SUFFIX}) {
                Path file = new Path(dir, candidate);
                if (fs.isFile(file)) {
                    return fs.makeQualified(file).toString();
                }
            }
        } catch (IOException e) {
            throw new IdxFormatException("Cannot list data folder " + dataDir + ": " + e.getMessage(), e);
        }
        throw new IdxFormatException("MNIST file " + name + " (or " + name + GZIP_SUFFIX + ") not found in " + dataDir
                + " (run 'fetch-data' first, or point --data-dir at a folder that holds it)");
    }

    private static void consumeExactly(InputStream in, long expected, String file, String what) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long seen = 0;
        int read;
        while ((read = in.read(buffer)) > 0) {
            seen += read;
        }
        if (seen < expected) {
            throw new IdxFormatException(String.format(
                    "%s: file is truncated (header declares %s: %d bytes of data, found %d)",
                    file, what, expected, seen));
        }
        if (seen > expected) {
            throw new IdxFormatException(String.format(
                    "%s: %d unexpected bytes after the %s the header declares", file, seen - expected, what));
        }
    }
}
