package io.mnistspark.job;

import io.mnistspark.digits.Classification;
import io.mnistspark.digits.DigitClassifier;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitCsvException;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.output.PredictionTables;
import io.mnistspark.output.RowBuilder;
import io.mnistspark.output.RunFolder;
import io.mnistspark.output.RunInfo;
import io.mnistspark.output.RunJson;
import io.mnistspark.output.Tables;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Classifies people's digit CSVs ({@link DigitCsv}) with a trained model, one prediction per file, in parallel on the
 * executors: the driver only lists the inputs and broadcasts the model once; each executor opens and parses its own
 * files and scores the good ones in batches. A file that is not a 28x28 grid in range does not stop the job: it is
 * returned, and written, with the message that says what is wrong with it.
 *
 * <p>With an output folder it writes {@link PredictionTables#FILE_PREDICTIONS}, {@link PredictionTables#FAILED_FILES},
 * {@code run.json} and {@code _SUCCESS}, atomically ({@link RunFolder}).
 *
 * <p>Prerequisite: a model zip or a 'train' run's output folder.
 */
public final class PredictJob {

    /** Files per Spark partition when there are many; fewer files still spread over all cores. */
    static final int FILES_PER_PARTITION = 1000;

    private final String model;
    private final List<String> inputs;
    private final Optional<String> outputDir;
    private final boolean overwrite;

    public PredictJob(String model, List<String> inputs, Optional<String> outputDir, boolean overwrite) {
        this.model = model;
        this.inputs = List.copyOf(inputs);
        this.outputDir = outputDir;
        this.overwrite = overwrite;
    }

    /** The outcome of every input in listing order, split into scored and failed, and where the output went. */
    public record Result(List<FileOutcome> scored, List<FileOutcome> failed, Optional<String> output) {}

    public Result run(SparkSession spark) {
        Instant started = Instant.now();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoopConf = sc.hadoopConfiguration();
        DigitClassifier classifier = DigitClassifier.load(model, hadoopConf);
        if (outputDir.isEmpty()) {
            return score(spark, classifier, Optional.empty(), started).result();
        }
        RunFolder folder = RunFolder.begin(outputDir.get(), overwrite, hadoopConf);
        return JobSupport.writeRun(folder, staging -> score(spark, classifier, Optional.of(staging), started));
    }

    /** Lists, reads and scores the inputs; writes the two tables into {@code folder} when there is one. */
    private JobSupport.Written<Result> score(
            SparkSession spark, DigitClassifier classifier, Optional<RunFolder> folder, Instant started) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoopConf = sc.hadoopConfiguration();
        // List the inputs on the driver
        DigitFiles.Listing listing = DigitFiles.list(inputs, hadoopConf);

        // Read, parse and score on the executors, with the model broadcast once
        Broadcast<DigitClassifier.Snapshot> snapshot = sc.broadcast(classifier.snapshot());
        int partitions = Math.max(
                1,
                Math.min(
                        listing.files().size(),
                        Math.max(
                                sc.defaultParallelism(),
                                (listing.files().size() + FILES_PER_PARTITION - 1) / FILES_PER_PARTITION)));
        JavaRDD<FileOutcome> outcomes = sc.parallelize(listing.files(), partitions)
                .mapPartitions(new ScoreFiles(snapshot, new SerializableConfiguration(hadoopConf)))
                .cache();
        List<FileOutcome> all = new ArrayList<>(outcomes.collect());
        all.addAll(listing.failures());
        all.sort(Comparator.comparingInt(FileOutcome::position));
        List<FileOutcome> scored = all.stream().filter(FileOutcome::isScored).toList();
        List<FileOutcome> failed = all.stream().filter(o -> !o.isScored()).toList();

        folder.ifPresent(f -> writeTables(spark, f, outcomes, failed));
        outcomes.unpersist();
        snapshot.destroy();
        return new JobSupport.Written<>(
                runInfo(spark, scored.size(), failed.size(), started),
                new Result(scored, failed, folder.map(RunFolder::target)));
    }

    private void writeTables(
            SparkSession spark, RunFolder folder, JavaRDD<FileOutcome> outcomes, List<FileOutcome> failed) {
        spark.createDataFrame(
                        outcomes.filter(FileOutcome::isScored).map(PredictJob::predictionRow),
                        PredictionTables.FILE_PREDICTIONS_SCHEMA)
                .orderBy(PredictionTables.FILE)
                .coalesce(1)
                .write()
                .mode(SaveMode.ErrorIfExists)
                .parquet(folder.path(PredictionTables.FILE_PREDICTIONS));
        List<Row> failedRows = failed.stream()
                .map(o -> RowBuilder.of(PredictionTables.FAILED_FILES_SCHEMA)
                        .set(PredictionTables.FILE, o.file())
                        .set(PredictionTables.PROBLEM, o.problem())
                        .build())
                .toList();
        spark.createDataFrame(failedRows, PredictionTables.FAILED_FILES_SCHEMA)
                .coalesce(1)
                .write()
                .mode(SaveMode.ErrorIfExists)
                .parquet(folder.path(PredictionTables.FAILED_FILES));
    }

    private RunInfo runInfo(SparkSession spark, int scoredCount, int failedCount, Instant started) {
        Map<String, Object> sparkFacts = new LinkedHashMap<>();
        sparkFacts.put(RunJson.MASTER, spark.sparkContext().master());
        sparkFacts.put(RunJson.APPLICATION_ID, spark.sparkContext().applicationId());
        return new RunInfo("predict", started)
                .put(RunJson.MODEL, model)
                .put(RunJson.INPUTS, inputs)
                .put(RunJson.FILES_SCORED, scoredCount)
                .put(RunJson.FILES_FAILED, failedCount)
                .put(RunJson.SPARK, sparkFacts);
    }

    private static Row predictionRow(FileOutcome outcome) {
        Classification c = outcome.classification();
        Float[] probabilities = new Float[c.probabilities().length];
        for (int d = 0; d < probabilities.length; d++) {
            probabilities[d] = c.probabilities()[d];
        }
        return RowBuilder.of(PredictionTables.FILE_PREDICTIONS_SCHEMA)
                .set(PredictionTables.FILE, outcome.file())
                .set(Tables.PREDICTED, c.digit())
                .set(Tables.CONFIDENCE, c.confidence())
                .set(Tables.PROBABILITIES, probabilities)
                .build();
    }

    /** Runs on executors: reads and parses each file of the partition, then scores the good ones together. */
    private static final class ScoreFiles implements FlatMapFunction<Iterator<DigitFiles.DigitFile>, FileOutcome> {
        private final Broadcast<DigitClassifier.Snapshot> model;
        private final SerializableConfiguration conf;

        ScoreFiles(Broadcast<DigitClassifier.Snapshot> model, SerializableConfiguration conf) {
            this.model = model;
            this.conf = conf;
        }

        @Override
        public Iterator<FileOutcome> call(Iterator<DigitFiles.DigitFile> files) {
            List<FileOutcome> outcomes = new ArrayList<>();
            List<DigitFiles.DigitFile> parsedFiles = new ArrayList<>();
            List<DigitImage> digits = new ArrayList<>();
            while (files.hasNext()) {
                DigitFiles.DigitFile file = files.next();
                try {
                    digits.add(read(file));
                    parsedFiles.add(file);
                } catch (DigitCsvException e) {
                    outcomes.add(FileOutcome.failed(file.position(), file.name(), e.getMessage()));
                } catch (IOException e) {
                    outcomes.add(FileOutcome.failed(
                            file.position(), file.name(), file.name() + ": cannot read (" + e.getMessage() + ")"));
                }
            }
            if (!digits.isEmpty()) {
                List<Classification> classifications = model.value().restore().classifyAll(digits);
                for (int i = 0; i < digits.size(); i++) {
                    DigitFiles.DigitFile file = parsedFiles.get(i);
                    outcomes.add(FileOutcome.scored(file.position(), file.name(), classifications.get(i)));
                }
            }
            return outcomes.iterator();
        }

        private DigitImage read(DigitFiles.DigitFile file) throws IOException {
            Path path = new Path(file.path());
            try (InputStream in = path.getFileSystem(conf.value()).open(path)) {
                return DigitCsv.read(file.name(), in);
            }
        }
    }
}
