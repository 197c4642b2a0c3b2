package io.mnistspark.job;

import io.mnistspark.config.JobConfig;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.MnistRdds;
import io.mnistspark.data.Slice;
import io.mnistspark.data.Split;
import io.mnistspark.model.ReferenceCnn;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.ResultWriter;
import io.mnistspark.output.RunFolder;
import io.mnistspark.output.RunInfo;
import io.mnistspark.training.DistributedTrainer;
import io.mnistspark.training.EpochRecord;
import io.mnistspark.output.Tables;
import java.time.Instant;
import java.util.LinkedHashMap;
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

    /** Monitoring data is measured after every epoch; the test set, as the reference notebook did. */
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
            // Validate both splits end to end before any training starts
            MnistFiles.SplitSummary train = MnistFiles.inspect(
                    MnistFiles.locate(config.dataDir(), Split.TRAIN, hadoopConf), hadoopConf);
            MnistFiles.SplitSummary test = MnistFiles.inspect(
                    MnistFiles.locate(config.dataDir(), Split.TEST, hadoopConf), hadoopConf);
            int trainCount = limited(train.count(), config.trainLimit());
            int testCount = limited(test.count(), config.testLimit());
            console.accept(String.format("Training on %d images, monitoring and evaluating on %d test images, "
                    + "master %s, %d workers", trainCount, testCount, sc.master(), workers(sc)));

            // Executors read their own slices of the IDX files
            JavaRDD<DataSet> trainingBatches = MnistRdds.slices(sc, train.files(), trainCount,
                    config.batchSizePerWorker(), 2 * sc.defaultParallelism()).map(Slice::toDataSet);
            JavaRDD<Slice> testSlices = TestSetEvaluation.testSlices(sc, test.files(), testCount)
                    .persist(StorageLevel.MEMORY_ONLY());
            JavaRDD<DataSet> monitor = testSlices.map(Slice::toDataSet).persist(StorageLevel.MEMORY_ONLY());

            // Train by parameter averaging
            DistributedTrainer.Result result = new DistributedTrainer(settings()).train(sc,
                    ReferenceCnn.configuration(config.learningRate(), config.learningRateDecay(), config.seed()), trainingBatches, trainCount,
                    monitor, MONITOR_SPLIT, record -> console.accept(record.progressLine(config.epochs())));
            monitor.unpersist();

            // Evaluate distributed and write everything
            ResultWriter writer = new ResultWriter(spark, folder);
            TestSetEvaluation.Outcome outcome = TestSetEvaluation.evaluateAndWrite(sc, result.network(), testSlices, writer,
                    result.trainSeconds(), config.epochs(), (long) trainCount);
            testSlices.unpersist();
            writer.writeTrainingHistory(result.history());
            ModelStore.save(result.network(), folder);
            RunInfo info = new RunInfo("train", started)
                    .put("config", config)
                    .put("data", Map.of("train", dataFacts(train, trainCount), "test",
                            dataFacts(test, testCount)))
                    .put("spark", sparkFacts(sc))
                    .put("final_accuracy", outcome.evaluation().accuracy())
                    .put("train_seconds", result.trainSeconds());
            folder.writeText(Tables.RUN_JSON, info.toJson(Instant.now()));
            folder.commit();
            console.accept(outcome.summary(testCount, folder.target()));
            return outcome.evaluation();
        } catch (RuntimeException e) {
            folder.abort();
            throw e;
        }
    }

    private DistributedTrainer.Settings settings() {
        return new DistributedTrainer.Settings(config.epochs(), config.batchSizePerWorker(),
                config.averagingFrequency(), config.prefetchBatches(), config.workers(), config.seed());
    }

    private int workers(JavaSparkContext sc) {
        return config.workers() > 0 ? config.workers() : sc.defaultParallelism();
    }

    static int limited(int available, int limit) {
        return limit > 0 ? Math.min(limit, available) : available;
    }

    static Map<String, Object> dataFacts(MnistFiles.SplitSummary summary, int used) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("images_file", summary.files().images());
        facts.put("images_sha256", summary.imagesSha256());
        facts.put("labels_file", summary.files().labels());
        facts.put("labels_sha256", summary.labelsSha256());
        facts.put("examples_in_files", summary.count());
        facts.put("examples_used", used);
        return facts;
    }

    static Map<String, Object> sparkFacts(JavaSparkContext sc) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("master", sc.master());
        facts.put("application_id", sc.sc().applicationId());
        facts.put("default_parallelism", sc.defaultParallelism());
        // The driver is listed too; on local masters it is the only "executor".
        int listed = sc.sc().statusTracker().getExecutorInfos().length;
        facts.put("executors", sc.master().startsWith("local") ? listed : Math.max(0, listed - 1));
        return facts;
    }
}
