package io.mnistspark.job;

import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Split;
import io.mnistspark.output.RunFolder;
import io.mnistspark.output.RunInfo;
import io.mnistspark.output.RunJson;
import io.mnistspark.output.Tables;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;

/** Steps every job takes the same way: checking a split, describing the run, committing the output. */
final class JobSupport {

    private JobSupport() {
    }

    /** Locates a split under {@code dataDir} and checks its files end to end. */
    static MnistFiles.SplitSummary inspect(String dataDir, Split split, Configuration conf) {
        return MnistFiles.inspect(MnistFiles.locate(dataDir, split, conf), conf);
    }

    /** The first {@code limit} examples, or all of them when {@code limit} is 0. */
    static int limited(int available, int limit) {
        return limit > 0 ? Math.min(limit, available) : available;
    }

    /** Writes run.json, moves the output into place and prints the one-line summary. */
    static void commit(RunFolder folder, RunInfo info, TestSetEvaluation.Outcome outcome, int testCount,
            Consumer<String> console) {
        info.put(RunJson.FINAL_ACCURACY, outcome.evaluation().accuracy());
        folder.writeText(Tables.RUN_JSON, info.toJson(Instant.now()));
        folder.commit();
        console.accept(outcome.summary(testCount, folder.target()));
    }

    static Map<String, Object> dataFacts(MnistFiles.SplitSummary summary, int used) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(RunJson.IMAGES_FILE, summary.files().images());
        facts.put(RunJson.IMAGES_SHA256, summary.imagesSha256());
        facts.put(RunJson.LABELS_FILE, summary.files().labels());
        facts.put(RunJson.LABELS_SHA256, summary.labelsSha256());
        facts.put(RunJson.EXAMPLES_IN_FILES, summary.count());
        facts.put(RunJson.EXAMPLES_USED, used);
        return facts;
    }

    static Map<String, Object> sparkFacts(JavaSparkContext sc) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put(RunJson.MASTER, sc.master());
        facts.put(RunJson.APPLICATION_ID, sc.sc().applicationId());
        facts.put(RunJson.DEFAULT_PARALLELISM, sc.defaultParallelism());
        // The driver is listed too; on local masters it is the only "executor".
        int listed = sc.sc().statusTracker().getExecutorInfos().length;
        facts.put(RunJson.EXECUTORS, sc.master().startsWith("local") ? listed : Math.max(0, listed - 1));
        return facts;
    }
}
