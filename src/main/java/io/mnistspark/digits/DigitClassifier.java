package io.mnistspark.digits;

import io.mnistspark.backend.FloatArrays;
import io.mnistspark.data.MnistIdx;
import io.mnistspark.model.ReferenceCnn;
import io.mnistspark.output.ModelStore;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Classifies digits with a trained network: input shaped [n, 1, 28, 28], values in [0, 1] (as the network was trained
 * on), output the ten class probabilities. Safe to share between threads (one prediction at a time).
 */
public final class DigitClassifier {

    /** Digits per forward pass when many are classified at once. */
    static final int BATCH = ReferenceCnn.INFERENCE_BATCH;

    private final MultiLayerNetwork network;

    public DigitClassifier(MultiLayerNetwork network) {
        this.network = network;
    }

    /** Loads a model zip, or the model of a 'train' run's output folder, from any Hadoop path. */
    public static DigitClassifier load(String modelOrRun, Configuration conf) {
        return new DigitClassifier(ModelStore.load(modelOrRun, conf));
    }

    public Classification classify(DigitImage digit) {
        return classifyAll(List.of(digit)).get(0);
    }

    /** One classification per digit, in order, in forward passes of at most {@link #BATCH} digits. */
    public List<Classification> classifyAll(List<DigitImage> digits) {
        List<Classification> results = new ArrayList<>(digits.size());
        for (int start = 0; start < digits.size(); start += BATCH) {
            List<DigitImage> batch = digits.subList(start, Math.min(digits.size(), start + BATCH));
            float[][] probabilities = probabilities(batch);
            for (float[] row : probabilities) {
                results.add(Classification.of(row));
            }
        }
        return results;
    }

    private synchronized float[][] probabilities(List<DigitImage> batch) {
        float[] features = new float[batch.size() * MnistIdx.PIXELS];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i).values(), 0, features, i * MnistIdx.PIXELS, MnistIdx.PIXELS);
        }
        INDArray input = Nd4j.create(features, new long[] {batch.size(), 1, MnistIdx.ROWS, MnistIdx.COLUMNS}, 'c');
        return FloatArrays.rows(network.output(input, false));
    }

    /** What executors need to rebuild the classifier: broadcast this, not the network. */
    public Snapshot snapshot() {
        return new Snapshot(
                network.getLayerWiseConfigurations().toJson(), network.params().dup());
    }

    /** The network's configuration and parameters, serializable. */
    public record Snapshot(String configurationJson, INDArray parameters) implements Serializable {

        public DigitClassifier restore() {
            MultiLayerNetwork network = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
            network.init(parameters, true);
            return new DigitClassifier(network);
        }
    }
}
