package io.mnistspark.benchmark;

import io.mnistspark.backend.NativeBackend;
import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.config.ConfigLoader;
import io.mnistspark.config.JobConfig;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Split;
import io.mnistspark.model.ReferenceCnn;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;

/**
 * The baseline of {@code submit/benchmark.sh}: the same reference CNN trained with plain DL4J in one JVM, no Spark,
 * on minibatches prepared once in memory. Prints one line per epoch and a final JSON line.
 *
 * <pre>
 * PlainDl4jBenchmark DATA_DIR WARMUP_EPOCHS MEASURED_EPOCHS BATCH [--profile-batches N] [--onednn-kernels]
 * </pre>
 * With {@code --profile-batches N} it instead runs N minibatches under ND4J's op profiler and prints its dashboard.
 * With {@code --onednn-kernels} the network gets mnist-spark's own oneDNN kernels, as its Spark workers do.
 */
public final class PlainDl4jBenchmark {

    private PlainDl4jBenchmark() {}

    public static void main(String[] args) {
        NativeBackend.configure();
        if (args.length < 4) {
            System.err.println("Usage: PlainDl4jBenchmark DATA_DIR WARMUP_EPOCHS MEASURED_EPOCHS BATCH "
                    + "[--profile-batches N] [--onednn-kernels]");
            System.exit(2);
        }
        String dataDir = args[0];
        int warmup = Integer.parseInt(args[1]);
        int measured = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        List<String> options = List.of(args).subList(4, args.length);
        int profileOption = options.indexOf("--profile-batches");
        int profileBatches = profileOption >= 0 ? Integer.parseInt(options.get(profileOption + 1)) : 0;

        Configuration conf = new Configuration();
        List<DataSet> train = minibatches(MnistFiles.locate(dataDir, Split.TRAIN, conf), batch, conf);
        List<DataSet> test =
                minibatches(MnistFiles.locate(dataDir, Split.TEST, conf), ReferenceCnn.INFERENCE_BATCH, conf);
        // The schedule train uses (conf/mnist-cnn.properties), so that the comparison is of the same training
        JobConfig schedule = ConfigLoader.defaults();
        MultiLayerNetwork network = new MultiLayerNetwork(
                ReferenceCnn.configuration(schedule.learningRate(), schedule.learningRateDecay(), schedule.seed()));
        network.init();
        if (options.contains("--onednn-kernels")) {
            network = OneDnnKernels.copyForTiming(network);
            System.out.println("layers on mnist-spark's oneDNN kernels: "
                    + OneDnnKernels.layersOnKernels(network).size());
        }
        if (profileBatches > 0) {
            profile(network, train, profileBatches);
            return;
        }
        long images = train.stream().mapToLong(DataSet::numExamples).sum();
        double measuredSeconds = 0;
        for (int epoch = 1; epoch <= warmup + measured; epoch++) {
            long start = System.nanoTime();
            for (DataSet minibatch : train) {
                network.fit(minibatch);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (epoch > warmup) {
                measuredSeconds += seconds;
            }
            System.out.printf(
                    Locale.ROOT,
                    "epoch %d %s %.1f s %.0f images/s%n",
                    epoch,
                    epoch > warmup ? "measured" : "warm-up",
                    seconds,
                    images / seconds);
        }
        long start = System.nanoTime();
        Evaluation evaluation = network.evaluate(iterator(test));
        double evalSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "{\"system\": \"plain-dl4j\", \"images_per_second\": %.1f, "
                        + "\"eval_images_per_second\": %.1f, \"test_accuracy\": %.4f, \"batch\": %d, "
                        + "\"measured_epochs\": %d}%n",
                images * measured / measuredSeconds,
                evaluation.getNumRowCounter() / evalSeconds,
                evaluation.accuracy(),
                batch,
                measured);
    }

    private static List<DataSet> minibatches(MnistFiles.SplitFiles files, int batch, Configuration conf) {
        int count = MnistFiles.inspect(files, conf).count();
        List<DataSet> minibatches = new ArrayList<>();
        for (int start = 0; start < count; start += batch) {
            minibatches.add(MnistFiles.readSlice(files, start, Math.min(batch, count - start), conf)
                    .toDataSet());
        }
        return minibatches;
    }

    private static DataSetIterator iterator(List<DataSet> minibatches) {
        return new ListDataSetIterator<>(minibatches, 1); // each element is already a whole minibatch
    }

    private static void profile(MultiLayerNetwork network, List<DataSet> train, int batches) {
        for (int i = 0; i < Math.min(5, train.size()); i++) {
            network.fit(train.get(i)); // warm up before profiling
        }
        Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.OPERATIONS);
        OpProfiler.getInstance().reset();
        long start = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            network.fit(train.get(i % train.size()));
        }
        System.out.printf(
                Locale.ROOT, "profiled %d minibatches in %.2f s%n", batches, (System.nanoTime() - start) / 1e9);
        OpProfiler.getInstance().printOutDashboard();
    }
}
