package io.mnistspark.job;

import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.MnistRdds;
import io.mnistspark.data.Slice;
import io.mnistspark.evaluation.DistributedEvaluator;
import io.mnistspark.evaluation.Prediction;
import io.mnistspark.model.ReferenceCnn;
import io.mnistspark.output.ResultWriter;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;

/** The evaluation step both jobs share: predict the test images distributed, then write the evaluation tables. */
final class TestSetEvaluation {

    /** Images per inference minibatch on the executors. */
    static final int PREDICTION_BATCH = ReferenceCnn.INFERENCE_BATCH;

    private TestSetEvaluation() {}

    /** The test images, read by the executors, in slices of {@link #PREDICTION_BATCH}. */
    static JavaRDD<Slice> testSlices(JavaSparkContext sc, MnistFiles.SplitFiles files, int count) {
        return MnistRdds.slices(sc, files, count, PREDICTION_BATCH, sc.defaultParallelism());
    }

    /** The evaluation and how long predicting and evaluating took (without writing). */
    record Outcome(Evaluation evaluation, double seconds) {
        String summary(String output) {
            long images = evaluation.getNumRowCounter();
            return String.format(
                    "Test accuracy %.4f on %d images (evaluated in %.1f s, %.0f images/s); output in %s",
                    evaluation.accuracy(), images, seconds, images / seconds, output);
        }
    }

    /** Predicts, evaluates and writes metrics, class metrics, confusion matrix, predictions and misclassified. */
    static Outcome evaluateAndWrite(
            JavaSparkContext sc,
            MultiLayerNetwork network,
            JavaRDD<Slice> test,
            ResultWriter writer,
            Optional<ResultWriter.TrainingFacts> training) {
        long start = System.nanoTime();
        // Serialised, not MEMORY_ONLY: Spark's SizeEstimator walking 5,000 Prediction objects per task cost
        // ~200 ms of a ~650 ms evaluation task; storing them serialised skips it.
        JavaRDD<Prediction> predictions =
                DistributedEvaluator.predict(sc, network, test).persist(StorageLevel.MEMORY_ONLY_SER());
        try {
            Evaluation evaluation = DistributedEvaluator.evaluate(predictions, ReferenceCnn.CLASSES);
            double evalSeconds = (System.nanoTime() - start) / 1e9;
            writer.writeMetrics(evaluation, new ResultWriter.RunFacts(evalSeconds, training));
            writer.writeClassMetrics(evaluation, ReferenceCnn.CLASSES);
            writer.writeConfusionMatrix(evaluation, ReferenceCnn.CLASSES);
            writer.writePredictions(predictions);
            return new Outcome(evaluation, evalSeconds);
        } finally {
            predictions.unpersist();
        }
    }
}
