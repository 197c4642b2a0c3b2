package io.mnistspark.testing;

import io.mnistspark.data.MnistFetcher;
import io.mnistspark.data.MnistIdx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Test data: the real MNIST files (fetched on first use) and small synthetic IDX files. */
public final class TestData {

    /**
     * A fixed shape of round (minibatches of at most 32, 10 of them a worker a round) for the cluster tests, whose
     * timings and worker kill were measured with it; the defaults derive both from the data and the workers.
     */
    public static final List<String> SMALL_SLICE_SETTINGS =
            List.of("--batch-size-per-worker", "32", "--averaging-frequency", "10");

    private TestData() {}

    /** The real MNIST folder ({@code -Dmnist.data.dir}, default data/mnist), fetched with the project's fetcher. */
    public static synchronized Path mnist() throws IOException {
        Path dir = Path.of(System.getProperty("mnist.data.dir", "data/mnist"));
        if (!MnistFetcher.isComplete(dir)) {
            new MnistFetcher(System.out::println).fetch(MnistFetcher.DEFAULT_SOURCE, dir);
        }
        return dir;
    }

    /** {@code count} synthetic images whose every pixel of image i is {@code i % 256}, labels {@code i % 10}. */
    public static byte[] syntheticPixels(int count) {
        byte[] pixels = new byte[count * MnistIdx.PIXELS];
        for (int i = 0; i < count; i++) {
            java.util.Arrays.fill(pixels, i * MnistIdx.PIXELS, (i + 1) * MnistIdx.PIXELS, (byte) (i % 256));
        }
        return pixels;
    }

    public static byte[] syntheticLabels(int count) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        return labels;
    }

    public static void writeImages(Path file, byte[] pixels, boolean gzip) throws IOException {
        try (OutputStream out = open(file, gzip)) {
            MnistIdx.writeImages(out, pixels);
        }
    }

    public static void writeLabels(Path file, byte[] labels, boolean gzip) throws IOException {
        try (OutputStream out = open(file, gzip)) {
            MnistIdx.writeLabels(out, labels);
        }
    }

    /** Copies the real MNIST files into {@code dir}, gzipped. */
    public static void gzipCopy(Path from, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (var files = Files.list(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                try (OutputStream out =
                        new GZIPOutputStream(Files.newOutputStream(dir.resolve(file.getFileName() + ".gz")))) {
                    Files.copy(file, out);
                }
            }
        }
    }

    private static OutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        return gzip ? new GZIPOutputStream(out) : out;
    }
}
