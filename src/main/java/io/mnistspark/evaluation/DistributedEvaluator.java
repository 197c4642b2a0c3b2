package io.mnistspark.evaluation;

import io.mnistspark.data.Slice;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Predicts every test image on the executors that hold it, with the model broadcast once, keeping each image's index;
 * the metrics are DL4J {@link Evaluation}s built per partition and merged.
 */
public final class DistributedEvaluator {

    private DistributedEvaluator() {}

    /** One prediction per image of {@code test}; misclassified ones keep their pixels. */
    public static JavaRDD<Prediction> predict(JavaSparkContext sc, MultiLayerNetwork network, JavaRDD<Slice> test) {
        Broadcast<ModelSnapshot> model = sc.broadcast(new ModelSnapshot(
                network.getLayerWiseConfigurations().toJson(), network.params().dup()));
        return test.mapPartitions(new PredictPartition(model));
    }

    /** Accuracy, per-class metrics and the confusion matrix of the predictions. */
    public static Evaluation evaluate(JavaRDD<Prediction> predictions, int classes) {
        return predictions.aggregate(
                new Evaluation(classes),
                (evaluation, prediction) -> {
                    evaluation.eval(prediction.predicted(), prediction.label());
                    return evaluation;
                },
                (left, right) -> {
                    left.merge(right);
                    return left;
                });
    }

    /** What executors need to rebuild the network: its configuration and parameters. */
    private record ModelSnapshot(String configurationJson, INDArray parameters) implements Serializable {
        MultiLayerNetwork rebuild() {
            MultiLayerNetwork network = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configurationJson));
            network.init(parameters, true);
            return network;
        }
    }

    private static final class PredictPartition implements FlatMapFunction<Iterator<Slice>, Prediction> {
        private final Broadcast<ModelSnapshot> model;

        PredictPartition(Broadcast<ModelSnapshot> model) {
            this.model = model;
        }

        @Override
        public Iterator<Prediction> call(Iterator<Slice> slices) {
            if (!slices.hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            MultiLayerNetwork network = model.value().rebuild();
            List<Prediction> predictions = new ArrayList<>();
            while (slices.hasNext()) {
                Slice slice = slices.next();
                INDArray probabilities = network.output(slice.features(), false);
                for (int i = 0; i < slice.size(); i++) {
                    predictions.add(
                            toPrediction(slice, i, probabilities.getRow(i).toFloatVector()));
                }
            }
            return predictions.iterator();
        }

        private static Prediction toPrediction(Slice slice, int i, float[] probabilities) {
            int predicted = argMax(probabilities);
            int label = slice.label(i);
            int[] pixels = predicted == label ? null : slice.greyValues(i);
            return new Prediction(
                    slice.firstIndex() + i, label, predicted, probabilities[predicted], probabilities, pixels);
        }

        private static int argMax(float[] values) {
            int best = 0;
            for (int i = 1; i < values.length; i++) {
                if (values[i] > values[best]) {
                    best = i;
                }
            }
            return best;
        }
    }
}
