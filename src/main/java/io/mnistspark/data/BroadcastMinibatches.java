package io.mnistspark.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A split's images kept in every executor's memory as raw grey values (one byte per pixel: 47 MB for the 60,000
 * training images), and cut into minibatches on demand by the loader that dl4j-spark's path-based worker is given.
 *
 * <p>Why not dl4j-spark's own Export approach: it writes every minibatch to a file and, in every averaging round,
 * parses the files of that round again ({@code DataSet.load} was ~30% of the JVM's samples in a training epoch);
 * it also refuses a {@code file://} default file system outside local mode. Here the "paths" are references
 * ({@value #REFERENCE_PREFIX}SHUFFLE-START-COUNT) to positions {@code [START, START + COUNT)} of the images in the
 * order that the seed SHUFFLE gives them, and the loader cuts those images from the broadcast bytes.
 */
public final class BroadcastMinibatches implements AutoCloseable {

    static final String REFERENCE_PREFIX = "mnist-minibatch-";

    private final Broadcast<Slice> images;
    private final int batchSize;

    private BroadcastMinibatches(Broadcast<Slice> images, int batchSize) {
        this.images = images;
        this.batchSize = batchSize;
    }

    /** Reads the first {@code count} images of a split on the driver and broadcasts them. */
    public static BroadcastMinibatches of(JavaSparkContext sc, MnistFiles.SplitFiles files, int count, int batchSize) {
        Slice all = MnistFiles.readSlice(files, 0, count, sc.hadoopConfiguration());
        return new BroadcastMinibatches(sc.broadcast(all), batchSize);
    }

    /** Examples in the broadcast split. */
    public int images() {
        return images.value().size();
    }

    /**
     * One reference per minibatch of {@code batchSize} images (the last may be shorter) of one pass over the images,
     * in the order that {@code shuffleSeed} shuffles them into: every image is in exactly one minibatch, and another
     * seed makes other minibatches, not only another order of the same ones.
     */
    public List<String> references(long shuffleSeed) {
        int count = images();
        List<String> references = new ArrayList<>();
        for (int start = 0; start < count; start += batchSize) {
            // The seed in hexadecimal, unsigned: a negative one would add a '-' to the reference's separators.
            references.add(REFERENCE_PREFIX + Long.toHexString(shuffleSeed) + "-" + start + "-"
                    + Math.min(batchSize, count - start));
        }
        return references;
    }

    public DataSetLoader loader() {
        return new Loader(images);
    }

    /** Frees the broadcast copies on the driver and the executors. */
    @Override
    public void close() {
        images.destroy();
    }

    /** The order of {@code count} images that {@code seed} shuffles them into (Fisher-Yates). */
    static int[] shuffledOrder(int count, long seed) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** Runs on executors: the DataSet of the minibatch a reference names, from the broadcast bytes. */
    private static final class Loader implements DataSetLoader {
        private static final long serialVersionUID = 1L;
        private final Broadcast<Slice> images;

        Loader(Broadcast<Slice> images) {
            this.images = images;
        }

        @Override
        public DataSet load(Source source) {
            String reference = source.getPath();
            if (!reference.startsWith(REFERENCE_PREFIX)) {
                throw new IllegalArgumentException("Not a minibatch reference: " + reference);
            }
            String[] parts = reference.substring(REFERENCE_PREFIX.length()).split("-", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("Not a minibatch reference: " + reference);
            }
            long shuffleSeed = Long.parseUnsignedLong(parts[0], 16);
            int start = Integer.parseInt(parts[1]);
            int count = Integer.parseInt(parts[2]);
            Slice all = images.value();
            int[] order = ShuffleCache.order(all.size(), shuffleSeed);
            return all.pick(order, start, count).toDataSet();
        }
    }

    /**
     * The last order computed in this JVM: every minibatch of an epoch shares its epoch's order, and computing it
     * again for each of them would cost a pass over all the images' indices per minibatch.
     */
    private static final class ShuffleCache {
        @SuppressWarnings("ArrayRecordComponent") // a cache entry, looked up by count and seed
        private record Entry(int count, long seed, int[] order) {}

        private static volatile Entry last;

        static int[] order(int count, long seed) {
            Entry entry = last;
            if (entry == null || entry.count() != count || entry.seed() != seed) {
                entry = new Entry(count, seed, shuffledOrder(count, seed));
                last = entry;
            }
            return entry.order();
        }
    }
}
