package io.mnistspark.doctor;

import io.mnistspark.backend.NativeBackend;
import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.MnistIdx;
import io.mnistspark.data.Split;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.factory.Nd4j;

/** The checks that mean the same on the driver and on an executor: ND4J's native build, oneDNN, OpenMP, disk. */
final class NodeChecks {

    /** Below this a local dir cannot hold a broadcast of the training images and a few shuffle files. */
    static final long MIN_LOCAL_DIR_BYTES = 512L << 20;

    static final long LOW_LOCAL_DIR_BYTES = 2L << 30;
    private static final String ISA_PREFIX = "dnnl_cpu_isa_";
    static final String JAVA17_ARGS = "/java17.args";
    private static final String ADD_OPENS = "--add-opens=";

    private NodeChecks() {}

    /** ND4J's backend and native build, DL4J's oneDNN helpers, mnist-spark's oneDNN kernels and oneDNN's ISA. */
    static List<Check> nativeBackend(String where, String optionsSetting) {
        List<Check> checks = new ArrayList<>();
        String library;
        try {
            NativeBackend.start();
            library = NativeBackend.loadedLibrary().orElse("nd4jcpu (path unknown)");
            String backend = Nd4j.getBackend().getClass().getSimpleName();
            checks.add(Check.ok(
                    "nd4j backend",
                    where,
                    backend + ", native build " + NativeBackend.loadedBuild().orElse("unknown") + " (" + library
                            + ")"));
        } catch (LinkageError | RuntimeException e) {
            checks.add(Check.fail(
                    "nd4j backend",
                    where,
                    "ND4J's native library did not load (" + e + "); check "
                            + "-D" + NativeBackend.PLATFORM_EXTENSION + " in " + optionsSetting
                            + " names a build inside the "
                            + "jar (-onednn)"));
            return checks;
        }
        boolean oneDnnBuild = library.contains("onednn");
        boolean helpersOn = "false".equalsIgnoreCase(System.getProperty(NativeBackend.HELPERS_DISABLE, "true"));
        if (oneDnnBuild && helpersOn) {
            checks.add(Check.ok("dl4j onednn helpers", where, "on (" + NativeBackend.HELPERS_DISABLE + "=false)"));
        } else {
            checks.add(Check.warn(
                    "dl4j onednn helpers",
                    where,
                    (oneDnnBuild ? "" : "native build without oneDNN; ")
                            + (helpersOn ? "" : "helpers off; ") + "convolutions run 4-5x slower: set -D"
                            + NativeBackend.HELPERS_DISABLE + "=false and -D" + NativeBackend.PLATFORM_EXTENSION
                            + "=-onednn in " + optionsSetting + " (and drop -D" + NativeBackend.SWITCH_PROPERTY
                            + "=false)"));
        }
        if (OneDnnKernels.available()) {
            String isa = effectiveIsa();
            checks.add(
                    isa.startsWith("avx2") || isa.startsWith("avx512")
                            ? Check.ok("onednn isa", where, "oneDNN's jit kernels dispatch " + isa)
                            : Check.warn(
                                    "onednn isa",
                                    where,
                                    "oneDNN dispatches " + isa + " only: no AVX2 on this CPU (or "
                                            + "ONEDNN_MAX_CPU_ISA limits it), convolutions run slower"));
        } else {
            checks.add(Check.warn(
                    "onednn isa",
                    where,
                    "oneDNN's own library (org.bytedeco:dnnl) did not load here; "
                            + "mnist-spark's kernels are off on this JVM"));
        }
        return checks;
    }

    /** Whether this JVM's settings turn mnist-spark's kernels on (the driver's switch decides for its executors). */
    static Check kernelSwitch(String where) {
        if (OneDnnKernels.enabled()) {
            return Check.ok(
                    "mnist onednn kernels",
                    where,
                    "on: convolutions, max pooling, dense layers and ReLUs run on oneDNN directly");
        }
        return Check.warn(
                "mnist onednn kernels",
                where,
                "switched off: a training step takes ~40% longer; remove "
                        + "-D" + OneDnnKernels.SWITCH_PROPERTY + "=false / " + OneDnnKernels.SWITCH_ENV
                        + "=false and -D"
                        + NativeBackend.SWITCH_PROPERTY + "=false / " + NativeBackend.SWITCH_ENV + "=false");
    }

    /** OpenMP threads per task against the cores each task gets. */
    static Check openMp(String where, int taskSlots, String envSetting) {
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        String threads = String.valueOf(info.getOrDefault("omp.threads", System.getenv("OMP_NUM_THREADS")));
        int cores = Runtime.getRuntime().availableProcessors();
        int perTask;
        try {
            perTask = Integer.parseInt(threads.trim());
        } catch (NumberFormatException e) {
            return Check.warn(
                    "omp threads", where, "ND4J reports " + threads + " OpenMP threads; set " + envSetting + "=1");
        }
        String found =
                String.format("%d OpenMP thread(s) a task, %d task slot(s), %d cores", perTask, taskSlots, cores);
        if ((long) perTask * taskSlots > cores) {
            return Check.warn(
                    "omp threads",
                    where,
                    found + ": tasks oversubscribe the cores and slow each other " + "down; set " + envSetting + "=1");
        }
        return Check.ok("omp threads", where, found);
    }

    /** Free space in Spark's local dirs (broadcast blocks, shuffle files). */
    static List<Check> localDirs(String where, File[] dirs) {
        List<Check> checks = new ArrayList<>();
        for (File dir : dirs) {
            long free = dir.getUsableSpace();
            String found = MemoryRules.size(free) + " free in " + dir;
            if (!dir.canWrite() || free < MIN_LOCAL_DIR_BYTES) {
                checks.add(Check.fail(
                        "local dir space",
                        where,
                        found + (dir.canWrite() ? "" : " (not writable)")
                                + ": point spark.local.dir (SPARK_LOCAL_DIRS on a cluster) at a disk with room"));
            } else if (free < LOW_LOCAL_DIR_BYTES) {
                checks.add(Check.warn(
                        "local dir space",
                        where,
                        found + ": little room; consider spark.local.dir " + "on a larger disk"));
            } else {
                checks.add(Check.ok("local dir space", where, found));
            }
        }
        return checks;
    }

    /** The JVM's version and the flags of conf/java17.args (bundled as {@value #JAVA17_ARGS}), checked in effect. */
    static Check java17(String where, String optionsSetting) {
        int feature = Runtime.version().feature();
        if (feature < 17) {
            return Check.fail("java", where, "Java " + Runtime.version() + ": mnist-spark needs Java 17 (JAVA_HOME)");
        }
        List<String> missing = new ArrayList<>();
        for (String flag : java17Flags()) {
            if (!inEffect(flag)) {
                missing.add(flag);
            }
        }
        if (!missing.isEmpty()) {
            return Check.fail(
                    "java",
                    where,
                    "Java " + Runtime.version() + " without " + String.join(" ", missing) + ": add them to "
                            + optionsSetting + " (every line of conf/java17.args)");
        }
        return Check.ok(
                "java",
                where,
                "Java " + Runtime.version() + ", all " + java17Flags().size() + " flags of conf/java17.args in effect");
    }

    /** The lines of conf/java17.args. */
    static List<String> java17Flags() {
        try (InputStream in = NodeChecks.class.getResourceAsStream(JAVA17_ARGS)) {
            if (in == null) {
                throw new IllegalStateException(JAVA17_ARGS + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + JAVA17_ARGS, e);
        }
    }

    /** Whether a flag holds in this JVM: a package opened to the unnamed module, or a system property's value. */
    static boolean inEffect(String flag) {
        if (flag.startsWith(ADD_OPENS)) {
            // --add-opens=MODULE/PACKAGE=ALL-UNNAMED
            String target = flag.substring(ADD_OPENS.length(), flag.lastIndexOf('='));
            String module = target.substring(0, target.indexOf('/'));
            String pkg = target.substring(target.indexOf('/') + 1);
            return ModuleLayer.boot()
                    .findModule(module)
                    .map(m -> m.isOpen(pkg, NodeChecks.class.getModule()))
                    .orElse(false);
        }
        if (flag.startsWith("-D")) {
            int equals = flag.indexOf('=');
            String key = flag.substring(2, equals < 0 ? flag.length() : equals);
            String value = equals < 0 ? "" : flag.substring(equals + 1);
            return value.equals(System.getProperty(key));
        }
        return true; // another kind of flag cannot be checked from inside
    }

    /** Opens each of the four IDX files and reads its header, as a worker's first read would. */
    static Check dataReadable(String where, String dataDir, Configuration conf, String hint) {
        List<String> found = new ArrayList<>();
        try {
            for (Split split : Split.values()) {
                MnistFiles.SplitFiles files = MnistFiles.locate(dataDir, split, conf);
                found.add(split + " " + images(files, conf) + " images");
                try (InputStream in = MnistFiles.open(files.labels(), conf)) {
                    MnistIdx.readLabelsHeader(in, files.labels());
                }
            }
            return Check.ok("data readable", where, String.join(", ", found) + " in " + dataDir);
        } catch (IOException | RuntimeException e) {
            return Check.fail("data readable", where, e.getMessage() + " [" + hint + "]");
        }
    }

    /** The image count an images file's header declares. */
    static int images(MnistFiles.SplitFiles files, Configuration conf) throws IOException {
        try (InputStream in = MnistFiles.open(files.images(), conf)) {
            return MnistIdx.readImagesHeader(in, files.images());
        }
    }

    /** oneDNN's effective instruction set, by the name of its constant (avx2, avx512_core, …). */
    private static String effectiveIsa() {
        int isa = org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa();
        for (Field field : org.bytedeco.dnnl.global.dnnl.class.getFields()) {
            try {
                if (field.getName().startsWith(ISA_PREFIX)
                        && Modifier.isStatic(field.getModifiers())
                        && field.getType() == int.class
                        && field.getInt(null) == isa) {
                    return field.getName().substring(ISA_PREFIX.length());
                }
            } catch (IllegalAccessException e) {
                // skip
            }
        }
        return "ISA " + isa;
    }
}
