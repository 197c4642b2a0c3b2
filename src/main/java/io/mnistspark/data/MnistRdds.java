package io.mnistspark.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Spreads a split over the executors. The driver only sends each partition a range of image indices; the executor
 * opens the files itself and reads its own range, so no image bytes travel in tasks.
 */
public final class MnistRdds {

    private MnistRdds() {}

    /**
     * The first {@code count} images of a split as slices of {@code sliceSize} consecutive images (the last may be
     * shorter), spread over {@code partitions} partitions whose boundaries fall on slice boundaries.
     */
    public static JavaRDD<Slice> slices(
            JavaSparkContext sc, MnistFiles.SplitFiles files, int count, int sliceSize, int partitions) {
        return slices(sc, files, 0, count, sliceSize, partitions);
    }

    /** As {@link #slices(JavaSparkContext, MnistFiles.SplitFiles, int, int, int)}, from image {@code first} on. */
    public static JavaRDD<Slice> slices(
            JavaSparkContext sc, MnistFiles.SplitFiles files, int first, int count, int sliceSize, int partitions) {
        List<int[]> ranges = partitionRanges(count, sliceSize, partitions);
        ranges.forEach(range -> range[0] += first);
        SerializableConfiguration conf = new SerializableConfiguration(sc.hadoopConfiguration());
        return sc.parallelize(ranges, ranges.size()).mapPartitions(new ReadRanges(files, sliceSize, conf));
    }

    /** Splits {@code [0, count)} into at most {@code partitions} ranges of whole slices: {start, length} pairs. */
    static List<int[]> partitionRanges(int count, int sliceSize, int partitions) {
        int totalSlices = (count + sliceSize - 1) / sliceSize;
        int parts = Math.max(1, Math.min(partitions, totalSlices));
        List<int[]> ranges = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int firstSlice = (int) ((long) totalSlices * p / parts);
            int endSlice = (int) ((long) totalSlices * (p + 1) / parts);
            int start = firstSlice * sliceSize;
            int end = Math.min(count, endSlice * sliceSize);
            if (end > start) {
                ranges.add(new int[] {start, end - start});
            }
        }
        return ranges;
    }

    /** Runs on executors: reads each range in one pass and cuts it into slices. */
    private static final class ReadRanges implements FlatMapFunction<Iterator<int[]>, Slice> {
        private final MnistFiles.SplitFiles files;
        private final int sliceSize;
        private final SerializableConfiguration conf;

        ReadRanges(MnistFiles.SplitFiles files, int sliceSize, SerializableConfiguration conf) {
            this.files = files;
            this.sliceSize = sliceSize;
            this.conf = conf;
        }

        @Override
        public Iterator<Slice> call(Iterator<int[]> ranges) {
            Configuration hadoopConf = conf.value();
            List<Slice> slices = new ArrayList<>();
            while (ranges.hasNext()) {
                int[] range = ranges.next();
                Slice whole = MnistFiles.readSlice(files, range[0], range[1], hadoopConf);
                for (int offset = 0; offset < whole.size(); offset += sliceSize) {
                    slices.add(whole.range(offset, Math.min(sliceSize, whole.size() - offset)));
                }
            }
            return slices.iterator();
        }
    }
}
