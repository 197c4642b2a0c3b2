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
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;

/** Steps every job takes the same way: checking a split, describing the run, writing the run folder. */
final class JobSupport {

    private JobSupport() {}

    /** Locates a split under {@code dataDir} and checks its files end to end. */
    static MnistFiles.SplitSummary inspect(String dataDir, Split split, Configuration conf) {
        return MnistFiles.inspect(MnistFiles.locate(dataDir, split, conf), conf);
    }

    /** The first {@code limit} examples, or all of them when {@code limit} is 0. */
    static int limited(int available, int limit) {
        return limit > 0 ? Math.min(limit, available) : available;
    }

    /** What a job's work in its run folder leaves besides the files: the run.json record and the job's result. */
    record Written<T>(RunInfo info, T result) {}

    /**
     * The one way a job writes its run folder: does the work in the staging folder, writes run.json and commits. On
     * any failure it removes the staging folder, so an earlier run in the target stays as it was, and rethrows.
     */
    static <T> T writeRun(RunFolder folder, Function<RunFolder, Written<T>> work) {
        try {
            Written<T> written = work.apply(folder);
            folder.writeText(Tables.RUN_JSON, written.info().toJson(Instant.now()));
            folder.commit();
            return written.result();
        } catch (RuntimeException e) {
            folder.abort();
            throw e;
        }
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
