package io.mnistspark.job;

import io.mnistspark.config.JobConfig;
import io.mnistspark.data.BroadcastMinibatches;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Slice;
import io.mnistspark.data.Split;
import io.mnistspark.model.ReferenceCnn;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.ResultWriter;
import io.mnistspark.output.RunFolder;
import io.mnistspark.output.RunInfo;
import io.mnistspark.training.DistributedTrainer;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Trains the reference CNN on the MNIST training set by parameter averaging across the Spark executors, evaluates it
 * distributed on the test set, and writes the output contract (Parquet tables, model, run.json, _SUCCESS) into
 * {@code config.outputDir()}, atomically.
 *
 * <p>Prerequisite: the four MNIST IDX files under {@code config.dataDir()} (see the {@code fetch-data} command).
 */
public final class TrainJob {

    /** The accuracy after each epoch is measured on the test set, as the reference notebook did. */
    private static final String MONITOR_SPLIT = "test";

    private final JobConfig config;
    private final Consumer<String> console;

    public TrainJob(JobConfig config, Consumer<String> console) {
        this.config = config;
        this.console = console;
    }

    /** Runs the whole job; returns the evaluation of the final model. */
    public Evaluation run(SparkSession spark) {
        Instant started = Instant.now();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoopConf = sc.hadoopConfiguration();
        RunFolder folder = RunFolder.begin(config.outputDir(), config.overwrite(), hadoopConf);
        try {
            // Check both splits end to end before any training starts
            MnistFiles.SplitSummary train = JobSupport.inspect(config.dataDir(), Split.TRAIN, hadoopConf);
            MnistFiles.SplitSummary test = JobSupport.inspect(config.dataDir(), Split.TEST, hadoopConf);
            int trainCount = JobSupport.limited(train.count(), config.trainLimit());
            int testCount = JobSupport.limited(test.count(), config.testLimit());
            console.accept(String.format("Training on %d images, monitoring and evaluating on %d test images, "
                    + "master %s, %d workers", trainCount, testCount, sc.master(), workers(sc)));

            JavaRDD<Slice> testSlices = TestSetEvaluation.testSlices(sc, test.files(), testCount)
                    .persist(StorageLevel.MEMORY_ONLY());
            DistributedTrainer.Result result = train(sc, train.files(), trainCount, testSlices);

            // Evaluate distributed and write everything
            ResultWriter writer = new ResultWriter(spark, folder);
            TestSetEvaluation.Outcome outcome = TestSetEvaluation.evaluateAndWrite(sc, result.network(), testSlices,
                    writer, result.trainSeconds(), config.epochs(), (long) trainCount);
            testSlices.unpersist();
            writer.writeTrainingHistory(result.history());
            ModelStore.save(result.network(), folder);
            RunInfo info = new RunInfo("train", started)
                    .put("config", config)
                    .put("data", Map.of("train", JobSupport.dataFacts(train, trainCount),
                            "test", JobSupport.dataFacts(test, testCount)))
                    .put("spark", JobSupport.sparkFacts(sc))
                    .put("train_seconds", result.trainSeconds());
            JobSupport.commit(folder, info, outcome, testCount, console);
            return outcome.evaluation();
        } catch (RuntimeException e) {
            folder.abort();
            throw e;
        }
    }

    /** Trains by parameter averaging on minibatches cut from the training images broadcast to the executors. */
    private DistributedTrainer.Result train(JavaSparkContext sc, MnistFiles.SplitFiles trainFiles, int trainCount,
            JavaRDD<Slice> testSlices) {
        JavaRDD<DataSet> monitor = testSlices.map(Slice::toDataSet).persist(StorageLevel.MEMORY_ONLY());
        try (BroadcastMinibatches minibatches = BroadcastMinibatches.of(sc, trainFiles, trainCount,
                config.batchSizePerWorker())) {
            DistributedTrainer.Settings settings = new DistributedTrainer.Settings(config.epochs(),
                    config.batchSizePerWorker(), config.averagingFrequency(), config.prefetchBatches(),
                    config.workers(), config.seed());
            return new DistributedTrainer(settings).train(sc,
                    ReferenceCnn.configuration(config.learningRate(), config.learningRateDecay(), config.seed()),
                    minibatches.references(workers(sc), config.seed()), minibatches.loader(), trainCount,
                    monitor, MONITOR_SPLIT, record -> console.accept(record.progressLine(config.epochs())));
        } finally {
            monitor.unpersist();
        }
    }

    private int workers(JavaSparkContext sc) {
        return config.workers() > 0 ? config.workers() : sc.defaultParallelism();
    }
}
