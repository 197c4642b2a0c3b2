package io.mnistspark.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A split's images kept in every executor's memory as raw grey values (one byte per pixel: 47 MB for the 60,000
 * training images), and cut into minibatches on demand, for dl4j-spark's {@code fitPaths(paths, loader)}.
 *
 * <p>Why not dl4j-spark's own Export approach: it writes every minibatch to a file and, in every averaging round,
 * parses the files of that round again ({@code DataSet.load} was ~30% of the JVM's samples in a training epoch);
 * it also refuses a {@code file://} default file system outside local mode. Here the "paths" are references to
 * image ranges ({@value #REFERENCE_PREFIX}START-COUNT), and the loader cuts them from the broadcast bytes.
 */
public final class BroadcastMinibatches implements AutoCloseable {

    static final String REFERENCE_PREFIX = "mnist-minibatch-";

    private final JavaSparkContext sc;
    private final Broadcast<Slice> images;
    private final int batchSize;

    private BroadcastMinibatches(JavaSparkContext sc, Broadcast<Slice> images, int batchSize) {
        this.sc = sc;
        this.images = images;
        this.batchSize = batchSize;
    }

    /** Reads the first {@code count} images of a split on the driver and broadcasts them. */
    public static BroadcastMinibatches of(JavaSparkContext sc, MnistFiles.SplitFiles files, int count,
            int batchSize) {
        Slice all = MnistFiles.readSlice(files, 0, count, sc.hadoopConfiguration());
        return new BroadcastMinibatches(sc, sc.broadcast(all), batchSize);
    }

    /**
     * One reference per minibatch of {@code batchSize} consecutive images (the last may be shorter), in an order
     * shuffled by {@code seed} and spread evenly over {@code partitions}: each partition holds a random sample of the
     * minibatches, not a run of consecutive images.
     */
    public JavaRDD<String> references(int partitions, long seed) {
        int count = images.value().size();
        List<String> references = new ArrayList<>();
        for (int start = 0; start < count; start += batchSize) {
            references.add(reference(start, Math.min(batchSize, count - start)));
        }
        Collections.shuffle(references, new Random(seed));
        return sc.parallelize(references, Math.max(1, Math.min(partitions, references.size())));
    }

    public DataSetLoader loader() {
        return new Loader(images);
    }

    /** Frees the broadcast copies on the driver and the executors. */
    @Override
    public void close() {
        images.destroy();
    }

    static String reference(int start, int count) {
        return REFERENCE_PREFIX + start + "-" + count;
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
            String[] startAndCount = reference.substring(REFERENCE_PREFIX.length()).split("-");
            int start = Integer.parseInt(startAndCount[0]);
            int count = Integer.parseInt(startAndCount[1]);
            return images.value().range(start, count).toDataSet();
        }
    }
}
