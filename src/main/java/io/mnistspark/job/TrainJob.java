package io.mnistspark.job;

import io.mnistspark.config.ConfigException;
import io.mnistspark.config.ConfigLoader;
import io.mnistspark.config.JobConfig;
import io.mnistspark.data.BroadcastMinibatches;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.MnistRdds;
import io.mnistspark.data.Slice;
import io.mnistspark.data.Split;
import io.mnistspark.evaluation.DistributedEvaluator;
import io.mnistspark.model.ReferenceCnn;
import io.mnistspark.output.Checkpoints;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.ResultWriter;
import io.mnistspark.output.RunFolder;
import io.mnistspark.output.RunInfo;
import io.mnistspark.output.RunJson;
import io.mnistspark.training.DistributedTrainer;
import io.mnistspark.training.RoundPlan;
import io.mnistspark.training.TrainingState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;

/**
 * Trains the reference CNN on the MNIST training set by parameter averaging across the Spark executors, evaluates it
 * distributed on the test set, and writes the output contract (Parquet tables, model, run.json, _SUCCESS) into
 * {@code config.outputDir()}, atomically.
 *
 * <p>Prerequisite: the four MNIST IDX files under {@code config.dataDir()} (see the {@code fetch-data} command).
 */
public final class TrainJob {

    /** Without a validation split, the accuracy after each epoch is measured on the test set, as the notebook did. */
    private static final String TEST_MONITOR = "test";

    private static final String VALIDATION_MONITOR = "validation";

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
        // Refuse the cluster's own Spark settings this job cannot run with, before any work
        SparkSessions.requireSupportedSettings(
                sc, workers(sc), DistributedTrainer.workerResultBytes(initialNetwork()), console);
        Checkpoints checkpoints = Checkpoints.of(
                config.outputDir(),
                config.checkpointDir(),
                hadoopConf,
                warning -> console.accept("WARNING: " + warning));
        Optional<Checkpoints.Saved> resumable = Resumption.checkBeforeStart(config, checkpoints, console);
        RunFolder folder = RunFolder.begin(config.outputDir(), config.overwrite(), hadoopConf);
        TestSetEvaluation.Outcome outcome = JobSupport.writeRun(folder, staging -> {
            if (config.resume() || config.overwrite()) {
                staging.removeStaleStagingFolders(console);
            }
            return trainAndEvaluate(spark, staging, checkpoints, resumable, started);
        });
        console.accept(outcome.summary(folder.target()));
        checkpoints.deleteAll();
        return outcome.evaluation();
    }

    /** Trains, evaluates and writes every table and the model into the staging folder; says what run.json records. */
    private JobSupport.Written<TestSetEvaluation.Outcome> trainAndEvaluate(
            SparkSession spark,
            RunFolder folder,
            Checkpoints checkpoints,
            Optional<Checkpoints.Saved> resumable,
            Instant started) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoopConf = sc.hadoopConfiguration();
        // Check both splits end to end before any training starts
        MnistFiles.SplitSummary train = JobSupport.inspect(config.dataDir(), Split.TRAIN, hadoopConf);
        MnistFiles.SplitSummary test = JobSupport.inspect(config.dataDir(), Split.TEST, hadoopConf);
        int usedCount = JobSupport.limited(train.count(), config.trainLimit());
        int trainCount = trainingImages(usedCount);
        int testCount = JobSupport.limited(test.count(), config.testLimit());
        RoundPlan plan = RoundPlan.of(
                new RoundPlan.Request(
                        config.batchSizePerWorker(),
                        config.stepsPerEpoch(),
                        config.averagingFrequency(),
                        config.roundsPerEpoch()),
                workers(sc),
                trainCount);
        Resumption resumption = new Resumption(
                Resumption.fingerprint(config, train, test, trainCount, testCount, plan, networkConfiguration()),
                resumable,
                started);
        console.accept(String.format(
                "Training on %d images%s, evaluating on %d test images, master %s, "
                        + "%d workers, %d minibatches of %d per worker between averagings (%d rounds an epoch)%s",
                trainCount,
                config.validationImages() > 0 ? ", validating on " + config.validationImages() : "",
                testCount,
                sc.master(),
                plan.workers(),
                plan.averagingFrequency(),
                plan.batchSizePerWorker(),
                plan.roundsPerEpoch(trainCount),
                resumption.describe()));

        JavaRDD<Slice> testSlices =
                TestSetEvaluation.testSlices(sc, test.files(), testCount).persist(StorageLevel.MEMORY_ONLY());
        TimedCheckpoints checkpointer = new TimedCheckpoints(checkpoints, resumption);
        DistributedTrainer.Result result =
                train(sc, train.files(), trainCount, plan, testSlices, resumption, checkpointer);

        // Evaluate distributed and write everything
        ResultWriter writer = new ResultWriter(spark, folder);
        TestSetEvaluation.Outcome outcome = TestSetEvaluation.evaluateAndWrite(
                sc,
                result.network(),
                testSlices,
                writer,
                Optional.of(new ResultWriter.TrainingFacts(result.trainSeconds(), config.epochs(), trainCount)));
        testSlices.unpersist();
        writer.writeTrainingHistory(result.history());
        writer.writeTrainingRounds(result.rounds());
        ModelStore.save(result.network(), folder);
        RunInfo info = new RunInfo("train", started)
                .put(RunJson.CONFIG, ConfigLoader.toProperties(config))
                .put(
                        RunJson.DATA,
                        Map.of(
                                RunJson.TRAIN,
                                JobSupport.dataFacts(train, trainCount),
                                RunJson.VALIDATION,
                                Map.of(RunJson.FIRST_INDEX, trainCount, RunJson.EXAMPLES, config.validationImages()),
                                RunJson.TEST,
                                JobSupport.dataFacts(test, testCount)))
                .put(RunJson.DERIVED, derivedFacts(plan, trainCount))
                .put(RunJson.SPARK, JobSupport.sparkFacts(sc))
                .put(RunJson.TRAIN_SECONDS, result.trainSeconds())
                .put(RunJson.CHECKPOINT_SECONDS, checkpointer.seconds)
                .put(RunJson.ATTEMPTS, resumption.attemptsEndingNow())
                .put(RunJson.FINAL_ACCURACY, outcome.evaluation().accuracy());
        return new JobSupport.Written<>(info, outcome);
    }

    /** Trains by parameter averaging on minibatches cut from the training images broadcast to the executors. */
    private DistributedTrainer.Result train(
            JavaSparkContext sc,
            MnistFiles.SplitFiles trainFiles,
            int trainCount,
            RoundPlan plan,
            JavaRDD<Slice> testSlices,
            Resumption resumption,
            TrainingState.Checkpointer checkpointer) {
        boolean validating = config.validationImages() > 0;
        // The test slices are persisted by the caller, which evaluates on them again at the end.
        JavaRDD<Slice> monitorImages = validating
                ? MnistRdds.slices(
                                sc,
                                trainFiles,
                                trainCount,
                                config.validationImages(),
                                TestSetEvaluation.PREDICTION_BATCH,
                                sc.defaultParallelism())
                        .persist(StorageLevel.MEMORY_ONLY())
                : testSlices;
        DistributedTrainer.Monitor monitor = new DistributedTrainer.Monitor(
                validating ? VALIDATION_MONITOR : TEST_MONITOR,
                network -> DistributedEvaluator.accuracy(sc, network, monitorImages, ReferenceCnn.CLASSES));
        try (BroadcastMinibatches minibatches =
                BroadcastMinibatches.of(sc, trainFiles, trainCount, plan.batchSizePerWorker())) {
            DistributedTrainer.Settings settings = new DistributedTrainer.Settings(
                    config.epochs(),
                    plan,
                    config.prefetchBatches(),
                    config.outerOptimizer(),
                    config.outerLearningRate(),
                    config.outerMomentum(),
                    config.seed(),
                    config.checkpointEveryRounds());
            TrainingState resumeFrom = resumption.state().orElse(null);
            MultiLayerNetwork network = resumeFrom != null ? resumeFrom.network() : initialNetwork();
            return new DistributedTrainer(settings)
                    .train(
                            sc,
                            network,
                            resumeFrom,
                            minibatches,
                            monitor,
                            record -> console.accept(record.progressLine(config.epochs())),
                            checkpointer);
        } finally {
            if (validating) {
                monitorImages.unpersist();
            }
        }
    }

    /** Saves each checkpoint with the run's fingerprint and attempts, and counts the seconds it took. */
    private static final class TimedCheckpoints implements TrainingState.Checkpointer {
        private final Checkpoints checkpoints;
        private final Resumption resumption;
        private double seconds;

        TimedCheckpoints(Checkpoints checkpoints, Resumption resumption) {
            this.checkpoints = checkpoints;
            this.resumption = resumption;
        }

        @Override
        public void save(TrainingState state) {
            long start = System.nanoTime();
            checkpoints.save(state, resumption.fingerprint(), resumption.attempts());
            seconds += (System.nanoTime() - start) / 1e9;
        }
    }

    private MultiLayerConfiguration networkConfiguration() {
        return ReferenceCnn.configuration(config.learningRate(), config.learningRateDecay(), config.seed());
    }

    private MultiLayerNetwork initialNetwork() {
        MultiLayerNetwork network = new MultiLayerNetwork(networkConfiguration());
        network.init();
        return network;
    }

    /** The training images once the validation split is held out from the end of the images used. */
    private int trainingImages(int usedCount) {
        int trainCount = usedCount - config.validationImages();
        if (trainCount < 1) {
            throw new ConfigException(String.format(
                    "'data.validation-images' (%d) leaves none of the %d training " + "images used for training",
                    config.validationImages(), usedCount));
        }
        return trainCount;
    }

    /** What the job worked out from the worker count and the data rather than took from the configuration. */
    private Map<String, Object> derivedFacts(RoundPlan plan, int trainCount) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(RunJson.WORKERS, plan.workers());
        facts.put(RunJson.BATCH_SIZE_PER_WORKER, plan.batchSizePerWorker());
        facts.put(RunJson.BATCH_SIZE_PER_WORKER_DERIVED, plan.batchDerived());
        facts.put(RunJson.AVERAGING_FREQUENCY, plan.averagingFrequency());
        facts.put(RunJson.AVERAGING_FREQUENCY_DERIVED, plan.frequencyDerived());
        facts.put(RunJson.ROUNDS_PER_EPOCH, plan.roundsPerEpoch(trainCount));
        facts.put(RunJson.IMAGES_PER_ROUND, plan.imagesPerRound());
        return facts;
    }

    private int workers(JavaSparkContext sc) {
        return config.workers() > 0 ? config.workers() : sc.defaultParallelism();
    }
}
