package io.mnistspark.doctor;

import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.config.JobConfig;
import io.mnistspark.config.SparkSettings;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Split;
import io.mnistspark.job.SparkSessions;
import io.mnistspark.model.ReferenceCnn;
import io.mnistspark.output.RunInfo;
import io.mnistspark.training.DistributedTrainer;
import io.mnistspark.training.RoundPlan;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockManagerId;
import org.bytedeco.javacpp.Pointer;
import org.datavec.spark.util.SerializableHadoopConfig;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Checks a Spark cluster (or local master) before a job: the driver, then every executor in a task pinned to it, then
 * measures a training step and an averaging round and predicts the epoch time for 1..N workers. Done in seconds;
 * nothing is written but a probe file, created and deleted in the output folder's parent.
 *
 * <p>Usage: {@code mnist-spark doctor [--data-dir D] [--output O] [--json] [--from-run RUN]}, under spark-submit like
 * any other command.
 */
public final class Doctor {

    static final String DRIVER = "driver";
    private static final String DRIVER_OPTIONS = "spark.driver.extraJavaOptions";
    private static final String BUILD_INFO = "/mnist-spark-build.properties";
    /** How long to wait for executors that are still registering, and how long their count must stay the same. */
    private static final long EXECUTOR_WAIT_MS = 30_000;

    private static final long EXECUTOR_SETTLE_MS = 3_000;
    private static final int PROBE_ATTEMPTS = 3;

    private final JobConfig config;
    private final Optional<String> fromRun;

    /**
     * @param config  the job's configuration: data and output folders, the minibatch and averaging settings
     * @param fromRun the output folder of a real run whose {@code training_rounds/} calibrate the advice
     */
    public Doctor(JobConfig config, Optional<String> fromRun) {
        this.config = config;
        this.fromRun = fromRun;
    }

    public DoctorReport run(SparkSession spark) {
        long started = System.nanoTime();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        boolean local = sc.master().startsWith("local");
        MultiLayerNetwork network = new MultiLayerNetwork(
                ReferenceCnn.configuration(config.learningRate(), config.learningRateDecay(), config.seed()));
        network.init();
        // Executors may still be registering: the worker count and the task slots follow them
        Map<String, String> executors = executors(sc, local);
        int workers = config.workers() > 0 ? config.workers() : sc.defaultParallelism();
        int slots = taskSlots(sc);

        List<Check> checks = new ArrayList<>(driverChecks(sc, local, workers, slots, network));
        int trainImages = trainImages(sc.hadoopConfiguration());
        RoundPlan.Request request = new RoundPlan.Request(
                config.batchSizePerWorker(),
                config.stepsPerEpoch(),
                config.averagingFrequency(),
                config.roundsPerEpoch());
        int batch = trainImages > 0
                ? RoundPlan.of(request, workers, trainImages).batchSizePerWorker()
                : config.batchSizePerWorker();
        int smallBatch = Math.max(1, batch / 4);

        int workersHere = (workers + Math.max(1, executors.size()) - 1) / Math.max(1, executors.size());
        List<ExecutorProbe.Answer> answers = List.of();
        try {
            answers = probeExecutors(
                    sc,
                    local,
                    executors,
                    new ExecutorProbe.Request(
                            UUID.randomUUID().toString(),
                            config.dataDir(),
                            config.outputDir(),
                            new int[] {batch, smallBatch},
                            workersHere,
                            OneDnnKernels.enabled(),
                            overheadEnforced(sc.master()),
                            config.seed()),
                    checks);
        } catch (RuntimeException e) {
            checks.add(Check.fail(
                    "executors",
                    DRIVER,
                    "the executor checks could not run (" + e.getMessage() + "); fix the failures above first"));
        }
        answers.forEach(answer -> checks.addAll(answer.checks()));

        Optional<Advice> advice = Optional.empty();
        double slowestLarge = slowest(answers, 0);
        if (trainImages > 0 && !Double.isNaN(slowestLarge)) {
            double one = AveragingCost.secondsPerRound(sc, network, 1);
            double many = slots > 1 ? AveragingCost.secondsPerRound(sc, network, slots) : one;
            Advice.Measurements measured = new Advice.Measurements(
                    batch, slowestLarge, smallBatch, slowest(answers, 1), one, many, slots, 1, 1, "");
            if (fromRun.isPresent()) {
                measured = Calibration.calibrate(spark, fromRun.get(), measured, checks);
            }
            advice = Optional.of(Advice.of(measured, request, trainImages));
        }
        return new DoctorReport(List.copyOf(checks), advice, (System.nanoTime() - started) / 1e9);
    }

    private List<Check> driverChecks(
            JavaSparkContext sc, boolean local, int workers, int slots, MultiLayerNetwork network) {
        List<Check> checks = new ArrayList<>();
        checks.add(NodeChecks.java17(DRIVER, DRIVER_OPTIONS));
        checks.add(versions());
        checks.addAll(NodeChecks.nativeBackend(DRIVER, DRIVER_OPTIONS));
        checks.add(NodeChecks.kernelSwitch(DRIVER));
        checks.addAll(MemoryRules.check(DRIVER, driverLimits(sc.getConf())));
        if (!local) {
            checks.addAll(NodeChecks.localDirs(
                    DRIVER, SparkEnv.get().blockManager().diskBlockManager().localDirs()));
        }
        checks.addAll(sparkSettings(sc, local, workers, slots, network));
        checks.add(NodeChecks.dataReadable(
                DRIVER,
                config.dataDir(),
                sc.hadoopConfiguration(),
                "the driver reads the training images: run 'fetch-data', or point --data-dir (data.dir) at them"));
        checks.add(outputFolder(sc.hadoopConfiguration()));
        return checks;
    }

    /** Spark and Scala against the versions the jar was built for. */
    private static Check versions() {
        Properties build = new Properties();
        try (InputStream in = Doctor.class.getResourceAsStream(BUILD_INFO)) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // reported below as unknown
        }
        Map<String, String> running = RunInfo.versions();
        String builtSpark = build.getProperty("spark.version", "unknown");
        String builtScala = build.getProperty("scala.binary.version", "unknown");
        String found = String.format(
                "Spark %s, Scala %s (built for Spark %s, Scala %s)",
                running.get("spark"), running.get("scala"), builtSpark, builtScala);
        if (!running.get("scala").startsWith(builtScala + ".")) {
            return Check.fail(
                    "spark and scala", DRIVER, found + ": use a Spark build for Scala " + builtScala + " (SPARK_HOME)");
        }
        if (!minor(running.get("spark")).equals(minor(builtSpark))) {
            return Check.fail(
                    "spark and scala", DRIVER, found + ": use Spark " + minor(builtSpark) + ".x " + "(SPARK_HOME)");
        }
        return running.get("spark").equals(builtSpark)
                ? Check.ok("spark and scala", DRIVER, found)
                : Check.warn(
                        "spark and scala",
                        DRIVER,
                        found + ": another patch release; Spark " + builtSpark + " is the one tested");
    }

    private static String minor(String version) {
        String[] parts = version.split("\\.", -1);
        return parts.length < 2 ? version : parts[0] + "." + parts[1];
    }

    private MemoryRules.Limits driverLimits(SparkConf conf) {
        long memory = conf.getSizeAsBytes("spark.driver.memory", "1g");
        long overhead = conf.contains("spark.driver.memoryOverhead")
                ? conf.getSizeAsMb("spark.driver.memoryOverhead", "384m") << 20
                : Math.max(384L << 20, memory / 10);
        boolean enforced = overheadEnforced(conf.get("spark.master", "local"))
                && "cluster".equals(conf.get("spark.submit.deployMode", "client"));
        return new MemoryRules.Limits(
                Runtime.getRuntime().maxMemory(),
                Pointer.maxBytes(),
                Pointer.maxPhysicalBytes(),
                Pointer.totalPhysicalBytes(),
                enforced ? Optional.of(memory + overhead) : Optional.empty(),
                overhead,
                DRIVER_OPTIONS);
    }

    /** The settings of item 5 of issue #15, as train itself judges them; plus workers against the task slots. */
    private static List<Check> sparkSettings(
            JavaSparkContext sc, boolean local, int workers, int slots, MultiLayerNetwork network) {
        List<Check> checks = new ArrayList<>();
        for (SparkSettings.Finding finding : SparkSettings.review(
                SparkSessions.settings(sc), local, workers, DistributedTrainer.workerResultBytes(network))) {
            checks.add(
                    finding.refused()
                            ? Check.fail("spark setting", DRIVER, finding.message() + " (train refuses " + "it)")
                            : Check.ok("spark setting", DRIVER, finding.message()));
        }
        String shape = workers + " workers, " + slots + " task slots";
        checks.add(
                workers <= slots
                        ? Check.ok("workers", DRIVER, shape)
                        : Check.warn(
                                "workers",
                                DRIVER,
                                shape + ": each round runs in " + ((workers + slots - 1) / slots)
                                        + " waves; set --workers (train.workers) to at most " + slots));
        return checks;
    }

    /** An output folder that exists makes train stop with exit code 4 unless --overwrite is given. */
    private Check outputFolder(Configuration conf) {
        Path output = new Path(config.outputDir());
        try {
            boolean exists = output.getFileSystem(conf).exists(output);
            if (exists && !config.overwrite()) {
                return Check.warn(
                        "output folder",
                        DRIVER,
                        config.outputDir() + " exists: train would leave it "
                                + "untouched and stop; pass --overwrite or another --output (output.dir)");
            }
            return Check.ok(
                    "output folder",
                    DRIVER,
                    config.outputDir() + (exists ? " exists (--overwrite)" : " does not exist yet"));
        } catch (IOException | RuntimeException e) {
            return Check.fail(
                    "output folder",
                    DRIVER,
                    "cannot reach " + config.outputDir() + " (" + e.getMessage()
                            + "): point --output (output.dir) at storage the driver reaches");
        }
    }

    /** The images train would fit, from the header of the training images; 0 when they cannot be read. */
    private int trainImages(Configuration conf) {
        try {
            int inFile = NodeChecks.images(MnistFiles.locate(config.dataDir(), Split.TRAIN, conf), conf);
            int used = config.trainLimit() > 0 ? Math.min(config.trainLimit(), inFile) : inFile;
            return Math.max(0, used - config.validationImages());
        } catch (IOException | RuntimeException e) {
            return 0; // the data check says why
        }
    }

    /**
     * One task per executor, each preferring its executor; executors that did not answer get another task, twice.
     * With {@code spark.locality.wait=0} a preference is a hint, so the answers are checked rather than assumed.
     */
    private static List<ExecutorProbe.Answer> probeExecutors(
            JavaSparkContext sc,
            boolean local,
            Map<String, String> expected,
            ExecutorProbe.Request request,
            List<Check> checks) {
        ExecutorProbe probe =
                new ExecutorProbe(request, sc.broadcast(new SerializableHadoopConfig(sc.hadoopConfiguration())));
        Map<String, ExecutorProbe.Answer> answers = new LinkedHashMap<>();
        for (int attempt = 0; attempt < PROBE_ATTEMPTS && answers.size() < expected.size(); attempt++) {
            List<Tuple2<Integer, scala.collection.Seq<String>>> pinned = new ArrayList<>();
            int task = 0;
            for (Map.Entry<String, String> executor : expected.entrySet()) {
                if (!answers.containsKey(executor.getKey())) {
                    // Spark's TaskLocation for one executor: executor_HOST_ID
                    List<String> location =
                            local ? List.of() : List.of("executor_" + executor.getValue() + "_" + executor.getKey());
                    pinned.add(new Tuple2<>(
                            task++, JavaConverters.asScalaBuffer(location).toSeq()));
                }
            }
            ClassTag<Integer> tag = ClassTag$.MODULE$.apply(Integer.class);
            RDD<Integer> rdd =
                    sc.sc().makeRDD(JavaConverters.asScalaBuffer(pinned).toSeq(), tag);
            sc.setJobDescription("mnist-spark doctor: executor checks");
            for (ExecutorProbe.Answer answer :
                    JavaRDD.fromRDD(rdd, tag).mapPartitions(probe).collect()) {
                answers.putIfAbsent(answer.executorId(), answer);
            }
        }
        sc.setJobDescription(null);
        Set<String> missing = new LinkedHashSet<>(expected.keySet());
        missing.removeAll(answers.keySet());
        checks.add(
                expected.isEmpty()
                        ? Check.fail(
                                "executors",
                                DRIVER,
                                "no executor registered within " + EXECUTOR_WAIT_MS / 1000 + " s: "
                                        + "check the cluster's free cores and memory against spark.executor.cores and "
                                        + "spark.executor.memory")
                        : missing.isEmpty()
                                ? Check.ok(
                                        "executors",
                                        DRIVER,
                                        answers.size() + " executor(s) answered: " + answers.keySet())
                                : Check.fail(
                                        "executors",
                                        DRIVER,
                                        "executor(s) " + missing + " did not answer in " + PROBE_ATTEMPTS
                                                + " attempts; their logs say why (spark.executor.* settings, memory)"));
        return new ArrayList<>(answers.values());
    }

    /**
     * The executors by id, with their hosts; on a local master the driver is the one. Waits for the executors the
     * settings ask for ({@code spark.executor.instances}, or {@code spark.cores.max / spark.executor.cores}), or,
     * without such settings, until their count has not changed for a while.
     */
    private static Map<String, String> executors(JavaSparkContext sc, boolean local) {
        Map<String, String> executors = new TreeMap<>();
        if (local) {
            executors.put(DRIVER, sc.getConf().get("spark.driver.host", "localhost"));
            return executors;
        }
        int expected = expectedExecutors(sc.getConf());
        long deadline = System.currentTimeMillis() + EXECUTOR_WAIT_MS;
        long settledSince = System.currentTimeMillis();
        int seen = -1;
        while (System.currentTimeMillis() < deadline) {
            executors.clear();
            for (BlockManagerId id : JavaConverters.setAsJavaSet(
                    sc.sc().env().blockManager().master().getMemoryStatus().keySet())) {
                if (!id.isDriver()) {
                    executors.put(id.executorId(), id.host());
                }
            }
            if (expected > 0 ? executors.size() >= expected : settled(executors.size(), seen, settledSince)) {
                break;
            }
            if (executors.size() != seen) {
                seen = executors.size();
                settledSince = System.currentTimeMillis();
            }
            sleep(200);
        }
        return executors;
    }

    private static boolean settled(int count, int seen, long settledSince) {
        return count > 0 && count == seen && System.currentTimeMillis() - settledSince >= EXECUTOR_SETTLE_MS;
    }

    /** The executors the settings ask for; 0 when they do not say. */
    static int expectedExecutors(SparkConf conf) {
        if (conf.contains("spark.executor.instances")) {
            return conf.getInt("spark.executor.instances", 0);
        }
        if (conf.contains("spark.cores.max") && conf.contains("spark.executor.cores")) {
            return conf.getInt("spark.cores.max", 0) / Math.max(1, conf.getInt("spark.executor.cores", 1));
        }
        return 0;
    }

    /**
     * Tasks the cluster runs at once: the most workers that train in one wave. (SparkContext's count is internal to
     * Spark, but callable; barrier execution relies on the same number.)
     */
    private static int taskSlots(JavaSparkContext sc) {
        return Math.max(
                1,
                sc.sc().maxNumConcurrentTasks(sc.sc().resourceProfileManager().defaultResourceProfile()));
    }

    /** YARN and Kubernetes kill a process above memory + memoryOverhead; standalone and local do not. */
    private static boolean overheadEnforced(String master) {
        return master.startsWith("yarn") || master.startsWith("k8s");
    }

    /** The slowest executor's step seconds at the {@code index}-th batch size; NaN when none could time one. */
    private static double slowest(List<ExecutorProbe.Answer> answers, int index) {
        return answers.stream()
                .mapToDouble(a -> a.stepSeconds()[index])
                .filter(s -> !Double.isNaN(s))
                .max()
                .orElse(Double.NaN);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for executors", e);
        }
    }
}
