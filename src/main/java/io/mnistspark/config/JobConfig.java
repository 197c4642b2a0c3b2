package io.mnistspark.config;

import java.io.Serializable;

/**
 * Everything a job needs to know, resolved from {@code conf/mnist-cnn.properties}, an optional {@code --conf} file and
 * command-line options, in that order. Immutable and validated on construction, so a job never sees a bad value.
 *
 * @param dataDir                folder holding the four MNIST IDX files, plain or gzipped (any Hadoop path)
 * @param outputDir              folder the run writes its tables, model and run.json into
 * @param overwrite              whether an existing {@code outputDir} may be replaced (only once the new run succeeded)
 * @param resume                 whether to go on from the newest complete checkpoint of an interrupted run
 * @param trainLimit             use only the first N training images; 0 means all
 * @param testLimit              use only the first N test images; 0 means all
 * @param validationImages       the last N of the training images used, held out from training and measured after
 *                               every epoch instead of the test set; 0 means none (the test set is monitored)
 * @param epochs                 passes over the training set
 * @param learningRate           Adam's learning rate in the first epoch
 * @param learningRateDecay      factor applied to the learning rate after each epoch; 1 keeps it constant
 * @param seed                   seed for weight initialisation, dropout and data shuffling
 * @param batchSizePerWorker     examples in each minibatch a worker fits, or at most that when {@code stepsPerEpoch}
 *                               derives it
 * @param stepsPerEpoch          minibatches each worker fits in an epoch, from which the minibatch size is derived;
 *                               0 means {@code batchSizePerWorker} as it is
 * @param averagingFrequency     minibatches each worker fits between two parameter averagings; 0 means derived
 *                               from {@code roundsPerEpoch}, the worker count and the training-set size
 * @param roundsPerEpoch         averaging rounds an epoch aims at when {@code averagingFrequency} is 0
 * @param outerOptimizer         the update the driver applies to the averaged parameters after each round
 * @param outerLearningRate      the outer update's learning rate (1 with {@code none}: the plain average)
 * @param outerMomentum          the outer update's momentum
 * @param prefetchBatches        minibatches each worker loads ahead
 * @param checkpointDir          where the training state is checkpointed (any Hadoop path); empty means the hidden
 *                               sibling {@code .NAME.checkpoints} of {@code outputDir}
 * @param checkpointEveryRounds  rounds between two checkpoints within an epoch; 0 means at the end of epochs only
 * @param workers                parallel training workers; 0 means Spark's default parallelism
 * @param sparkMaster            master used when the job is not started by spark-submit
 */
public record JobConfig(
        String dataDir,
        String outputDir,
        boolean overwrite,
        boolean resume,
        int trainLimit,
        int testLimit,
        int validationImages,
        int epochs,
        double learningRate,
        double learningRateDecay,
        long seed,
        int batchSizePerWorker,
        int stepsPerEpoch,
        int averagingFrequency,
        int roundsPerEpoch,
        OuterOptimizerKind outerOptimizer,
        double outerLearningRate,
        double outerMomentum,
        int prefetchBatches,
        String checkpointDir,
        int checkpointEveryRounds,
        int workers,
        String sparkMaster)
        implements Serializable {

    public JobConfig {
        requireText(ConfigKeys.DATA_DIR, dataDir);
        requireText(ConfigKeys.OUTPUT_DIR, outputDir);
        requireText(ConfigKeys.SPARK_MASTER, sparkMaster);
        requireAtLeast(ConfigKeys.TRAIN_LIMIT, trainLimit, 0);
        requireAtLeast(ConfigKeys.TEST_LIMIT, testLimit, 0);
        requireAtLeast(ConfigKeys.EPOCHS, epochs, 1);
        requireAtLeast(ConfigKeys.BATCH_SIZE_PER_WORKER, batchSizePerWorker, 1);
        requireAtLeast(ConfigKeys.VALIDATION_IMAGES, validationImages, 0);
        requireAtLeast(ConfigKeys.STEPS_PER_EPOCH, stepsPerEpoch, 0);
        requireAtLeast(ConfigKeys.AVERAGING_FREQUENCY, averagingFrequency, 0);
        requireAtLeast(ConfigKeys.ROUNDS_PER_EPOCH, roundsPerEpoch, 1);
        requireAtLeast(ConfigKeys.PREFETCH_BATCHES, prefetchBatches, 0);
        requireAtLeast(ConfigKeys.CHECKPOINT_EVERY_ROUNDS, checkpointEveryRounds, 0);
        requireAtLeast(ConfigKeys.WORKERS, workers, 0);
        if (!(learningRate > 0 && learningRate < 1)) {
            throw new ConfigException("'" + ConfigKeys.LEARNING_RATE + "' must be in (0, 1) but is " + learningRate);
        }
        if (!(outerLearningRate > 0 && outerLearningRate <= 2)) {
            throw new ConfigException(
                    "'" + ConfigKeys.OUTER_LEARNING_RATE + "' must be in (0, 2] but is " + outerLearningRate);
        }
        if (!(outerMomentum >= 0 && outerMomentum < 1)) {
            throw new ConfigException("'" + ConfigKeys.OUTER_MOMENTUM + "' must be in [0, 1) but is " + outerMomentum);
        }
        if (!(learningRateDecay > 0 && learningRateDecay <= 1)) {
            throw new ConfigException(
                    "'" + ConfigKeys.LEARNING_RATE_DECAY + "' must be in (0, 1] but is " + learningRateDecay);
        }
    }

    private static void requireText(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("'" + key + "' must not be empty");
        }
    }

    private static void requireAtLeast(String key, int value, int minimum) {
        if (value < minimum) {
            throw new ConfigException("'" + key + "' must be >= " + minimum + " but is " + value);
        }
    }
}
