package io.mnistspark.job;

import io.mnistspark.config.ConfigKeys;
import io.mnistspark.config.ConfigLoader;
import io.mnistspark.config.JobConfig;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Slice;
import io.mnistspark.data.Split;
import io.mnistspark.output.ModelStore;
import io.mnistspark.output.ResultWriter;
import io.mnistspark.output.RunFolder;
import io.mnistspark.output.RunInfo;
import io.mnistspark.output.RunJson;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;

/**
 * Evaluates a saved model (a model zip or a train run's output folder) on the MNIST test set, distributed, and writes
 * the same evaluation tables as {@link TrainJob} (no model, no training history) into {@code config.outputDir()}.
 */
public final class EvaluateJob {

    private final JobConfig config;
    private final String model;
    private final Consumer<String> console;

    public EvaluateJob(JobConfig config, String model, Consumer<String> console) {
        this.config = config;
        this.model = model;
        this.console = console;
    }

    public Evaluation run(SparkSession spark) {
        Instant started = Instant.now();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoopConf = sc.hadoopConfiguration();
        MultiLayerNetwork network = ModelStore.load(model, hadoopConf);
        RunFolder folder = RunFolder.begin(config.outputDir(), config.overwrite(), hadoopConf);
        TestSetEvaluation.Outcome outcome = JobSupport.writeRun(folder, staging -> {
            MnistFiles.SplitSummary test = JobSupport.inspect(config.dataDir(), Split.TEST, hadoopConf);
            int testCount = JobSupport.limited(test.count(), config.testLimit());
            JavaRDD<Slice> testSlices = TestSetEvaluation.testSlices(sc, test.files(), testCount);
            TestSetEvaluation.Outcome evaluated = TestSetEvaluation.evaluateAndWrite(
                    sc, network, testSlices, new ResultWriter(spark, staging), Optional.empty());
            RunInfo info = new RunInfo("evaluate", started)
                    .put(RunJson.MODEL, model)
                    .put(RunJson.CONFIG, ConfigLoader.only(ConfigLoader.toProperties(config), ConfigKeys.EVALUATION))
                    .put(RunJson.DATA, Map.of(RunJson.TEST, JobSupport.dataFacts(test, testCount)))
                    .put(RunJson.SPARK, JobSupport.sparkFacts(sc))
                    .put(RunJson.FINAL_ACCURACY, evaluated.evaluation().accuracy());
            return new JobSupport.Written<>(info, evaluated);
        });
        console.accept(outcome.summary(folder.target()));
        return outcome.evaluation();
    }
}
