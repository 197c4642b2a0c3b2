package io.mnistspark.doctor;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.bytedeco.javacpp.Pointer;
import org.datavec.spark.util.SerializableHadoopConfig;

/**
 * The checks each executor runs on itself, in one task pinned to it: ND4J's native build and oneDNN, OpenMP threads,
 * javacpp's limits against the executor's memory settings, free space in Spark's local dirs, the data folder and the
 * output folder's parent as this executor sees them, and the time of a training step. Every task of a doctor run on
 * the same executor gets the one answer, computed once: a second task on it neither measures again nor competes
 * with the first for the cores.
 */
final class ExecutorProbe implements FlatMapFunction<Iterator<Integer>, ExecutorProbe.Answer> {

    static final String OPTIONS_SETTING = "spark.executor.extraJavaOptions";
    static final String OMP_SETTING = "spark.executorEnv.OMP_NUM_THREADS";
    private static final Map<String, Answer> ANSWERS = new ConcurrentHashMap<>();

    /**
     * What to check.
     *
     * @param runId             tells one doctor run's tasks from another's
     * @param dataDir           the data folder (data.dir)
     * @param outputDir         the output folder (output.dir), whose parent must be writable
     * @param batches           minibatch sizes to time a step at
     * @param workersHere       workers that train at once on each executor: as many steps are timed at once
     * @param kernels           whether the driver's switch turns mnist-spark's kernels on (workers follow it)
     * @param overheadEnforced  whether the cluster manager kills executors above memory + memoryOverhead
     * @param seed              seed of the timed network
     */
    @SuppressWarnings("ArrayRecordComponent") // sent to the executors, never compared or hashed
    record Request(
            String runId,
            String dataDir,
            String outputDir,
            int[] batches,
            int workersHere,
            boolean kernels,
            boolean overheadEnforced,
            long seed)
            implements Serializable {}

    /** One executor's answer: who it is, its check lines, and its step seconds at each requested batch size. */
    @SuppressWarnings("ArrayRecordComponent") // sent back to the driver, never compared or hashed
    record Answer(String executorId, String host, List<Check> checks, double[] stepSeconds) implements Serializable {}

    private final Request request;
    private final Broadcast<SerializableHadoopConfig> hadoopConf;

    ExecutorProbe(Request request, Broadcast<SerializableHadoopConfig> hadoopConf) {
        this.request = request;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public Iterator<Answer> call(Iterator<Integer> ignored) {
        SparkEnv env = SparkEnv.get();
        String key = request.runId() + "/" + env.executorId();
        return List.of(ANSWERS.computeIfAbsent(key, k -> answer(env))).iterator();
    }

    private Answer answer(SparkEnv env) {
        String where = "executor " + env.executorId() + " ("
                + env.blockManager().blockManagerId().host() + ")";
        List<Check> checks = new ArrayList<>();
        checks.add(NodeChecks.java17(where, OPTIONS_SETTING));
        checks.addAll(NodeChecks.nativeBackend(where, OPTIONS_SETTING));
        SparkConf conf = env.conf();
        int cores = conf.getInt("spark.executor.cores", Runtime.getRuntime().availableProcessors());
        checks.add(NodeChecks.openMp(where, cores, OMP_SETTING));
        checks.addAll(MemoryRules.check(where, limits(conf)));
        checks.addAll(NodeChecks.localDirs(
                where, env.blockManager().diskBlockManager().localDirs()));
        Configuration hadoop = hadoopConf.value().getConfiguration();
        checks.add(NodeChecks.dataReadable(
                where,
                request.dataDir(),
                hadoop,
                "seen from this executor: point " + "--data-dir (data.dir) at storage every executor reaches"));
        checks.add(outputParentWritable(where, hadoop));
        double[] seconds = new double[request.batches().length];
        try {
            for (int i = 0; i < seconds.length; i++) {
                seconds[i] = StepTimer.secondsPerStep(
                        Math.min(cores, request.workersHere()),
                        request.batches()[i],
                        request.kernels(),
                        request.seed());
            }
            checks.add(Check.ok(
                    "training step",
                    where,
                    String.format(
                            "%.0f ms a step at minibatch %d (%d at once)",
                            seconds[0] * 1000, request.batches()[0], Math.min(cores, request.workersHere()))));
        } catch (OutOfMemoryError | RuntimeException e) {
            java.util.Arrays.fill(seconds, Double.NaN);
            checks.add(Check.fail(
                    "training step",
                    where,
                    "a training step of the reference CNN failed (" + e
                            + "); check -D" + MemoryRules.MAX_BYTES + " and -D" + MemoryRules.MAX_PHYSICAL_BYTES
                            + " in "
                            + OPTIONS_SETTING));
        }
        return new Answer(env.executorId(), env.blockManager().blockManagerId().host(), List.copyOf(checks), seconds);
    }

    private MemoryRules.Limits limits(SparkConf conf) {
        long memory = conf.getSizeAsBytes("spark.executor.memory", "1g");
        long overhead = conf.contains("spark.executor.memoryOverhead")
                ? conf.getSizeAsMb("spark.executor.memoryOverhead", "384m") << 20
                : Math.max(384L << 20, memory / 10);
        return new MemoryRules.Limits(
                Runtime.getRuntime().maxMemory(),
                Pointer.maxBytes(),
                Pointer.maxPhysicalBytes(),
                Pointer.totalPhysicalBytes(),
                request.overheadEnforced() ? Optional.of(memory + overhead) : Optional.empty(),
                overhead,
                OPTIONS_SETTING);
    }

    /** Creates and deletes a probe file where the output folder will be created. */
    private Check outputParentWritable(String where, Configuration conf) {
        Path output = new Path(request.outputDir());
        Path parent = output.getParent() == null ? output : output.getParent();
        try {
            FileSystem fs = parent.getFileSystem(conf);
            Path existing = parent;
            while (existing.getParent() != null && !fs.exists(existing)) {
                existing = existing.getParent(); // train creates the missing folders below the nearest existing one
            }
            Path probe = new Path(existing, ".mnist-doctor-probe-" + UUID.randomUUID());
            fs.create(probe, false).close();
            if (!fs.delete(probe, false)) {
                return Check.warn("output writable", where, "created but could not delete " + probe);
            }
            return Check.ok("output writable", where, "created and deleted a file in " + fs.makeQualified(existing));
        } catch (IOException | RuntimeException e) {
            return Check.fail(
                    "output writable",
                    where,
                    "cannot create a file in the parent of " + request.outputDir() + " (" + e.getMessage()
                            + "): make it writable, or point --output (output.dir) elsewhere");
        }
    }
}
