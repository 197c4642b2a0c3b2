package io.mnistspark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

/** The training minibatches cut on the executors from the broadcast images, through a real local[2] Spark. */
class BroadcastMinibatchesTest {

    private static final int COUNT = 105;
    private static final int BATCH = 20;

    @TempDir
    static Path dir;

    private static SparkSession spark;
    private static MnistFiles.SplitFiles files;

    @BeforeAll
    static void writeSplitAndStartSpark() throws IOException {
        TestData.writeImages(dir.resolve("train-images-idx3-ubyte"), TestData.syntheticPixels(COUNT), false);
        TestData.writeLabels(dir.resolve("train-labels-idx1-ubyte"), TestData.syntheticLabels(COUNT), false);
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("BroadcastMinibatchesTest")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        files = MnistFiles.locate(
                dir.toString(), Split.TRAIN, spark.sparkContext().hadoopConfiguration());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void everyImageIsInExactlyOneMinibatch_withItsOwnPixelsAndLabel_whenLoadedOnExecutors() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (BroadcastMinibatches minibatches = BroadcastMinibatches.of(sc, files, COUNT, BATCH)) {
            DataSetLoader loader = minibatches.loader();
            List<String> references = minibatches.references(1);
            // For each image in each loaded minibatch: {grey value of its first pixel, label}; the synthetic image i
            // has grey value i and label i % 10, so the grey value names the image.
            List<int[]> images = new ArrayList<>(sc.parallelize(references, 4)
                    .flatMap(reference ->
                            describe(loader.load(source(reference))).iterator())
                    .collect());
            images.sort(Comparator.comparingInt(image -> image[0]));

            assertEquals(6, references.size());
            assertEquals(COUNT, images.size());
            for (int i = 0; i < COUNT; i++) {
                assertEquals(i, images.get(i)[0], "image " + i + " once");
                assertEquals(i % 10, images.get(i)[1], "label of image " + i);
            }
        }
    }

    @Test
    void minibatchesAreShuffledImages_thatTheSeedRepeats_andAnotherSeedRecomposes() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (BroadcastMinibatches minibatches = BroadcastMinibatches.of(sc, files, COUNT, BATCH)) {
            DataSetLoader loader = minibatches.loader();
            List<List<Integer>> seven = contents(minibatches.references(7), loader);

            assertEquals(seven, contents(minibatches.references(7), loader));
            assertEquals(
                    COUNT,
                    contents(minibatches.references(-7), loader).stream()
                            .mapToInt(List::size)
                            .sum(),
                    "a negative seed makes valid references too");
            assertNotEquals(IntStream.range(0, BATCH).boxed().toList(), seven.get(0), "not the images' own order");
            assertNotEquals(
                    new HashSet<>(seven.get(0)),
                    new HashSet<>(contents(minibatches.references(8), loader).get(0)),
                    "another seed puts other images together");
        }
    }

    @Test
    void aReferenceToNoMinibatch_isRejectedByName() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        try (BroadcastMinibatches minibatches = BroadcastMinibatches.of(sc, files, COUNT, BATCH)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> minibatches.loader().load(source("/data/part-0001.bin")));
            assertTrue(e.getMessage().contains("/data/part-0001.bin"), e.getMessage());
        }
    }

    /** The grey values (the synthetic images' numbers) of each minibatch, in order. */
    private static List<List<Integer>> contents(List<String> references, DataSetLoader loader) {
        return references.stream()
                .map(reference -> describe(load(loader, reference)).stream()
                        .map(image -> image[0])
                        .toList())
                .toList();
    }

    private static DataSet load(DataSetLoader loader, String reference) {
        try {
            return loader.load(source(reference));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<int[]> describe(DataSet minibatch) {
        List<int[]> images = new ArrayList<>();
        for (int i = 0; i < minibatch.numExamples(); i++) {
            int grey = Math.round(minibatch.getFeatures().getFloat(i, 0, 0, 0) * Slice.MAX_GREY);
            int label = minibatch.getLabels().getRow(i).argMax().getInt(0);
            images.add(new int[] {grey, label});
        }
        return images;
    }

    private static Source source(String path) {
        return new Source() {
            @Override
            public InputStream getInputStream() {
                throw new UnsupportedOperationException("the loader must not open " + path);
            }

            @Override
            public String getPath() {
                return path;
            }
        };
    }
}
