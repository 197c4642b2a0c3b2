package io.mnistspark.backend;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Chooses ND4J's native build and turns on DL4J's oneDNN layer helpers (4-5x faster convolutions on CPU). Both are
 * system properties that ND4J and DL4J read once, so {@link #configure()} must run before the first ND4J class loads.
 *
 * <p>Switch: {@code -Dmnist.onednn=false} or {@code MNIST_ONEDNN=false} keeps ND4J's default path (the plain build,
 * no helpers). Explicit {@code -Dorg.bytedeco.javacpp.platform.extension=…} and
 * {@code -Dorg.eclipse.deeplearning4j.helpers.disable=…} are respected.
 */
public final class NativeBackend {

    public static final String SWITCH_PROPERTY = "mnist.onednn";
    public static final String SWITCH_ENV = "MNIST_ONEDNN";
    /** DL4J M2 reads this with a default of {@code true}: without it no layer ever gets a oneDNN helper. */
    public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";
    /**
     * Which classifier of nd4j-native javacpp loads, e.g. {@code -onednn-avx512}: javacpp's own property. (Maven's
     * {@code javacpp.platform.extension}, which picks a classifier at build time, does nothing at run time.)
     */
    public static final String PLATFORM_EXTENSION = "org.bytedeco.javacpp.platform.extension";

    static final String AVX512_BUILD = "-onednn-avx512";
    static final String PORTABLE_BUILD = "-onednn";
    static final String PLAIN_BUILD = "";
    /** What the -onednn-avx512 build was compiled for. */
    private static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd");

    private static final String BINDINGS = "/org/nd4j/linalg/cpu/nativecpu/bindings/";

    private NativeBackend() {}

    public static void configure() {
        boolean oneDnn = enabled();
        // Left unset, javacpp takes the AVX-512 build wherever it is on the classpath, whatever the CPU. Symptom: the
        // JVM dies of SIGILL in sd::ops::HashHelper::getInstance() as it loads libnd4jcpu.so on a CPU without AVX-512.
        if (System.getProperty(PLATFORM_EXTENSION) == null) {
            chooseBuild(cpuFlags(), oneDnn).ifPresent(build -> System.setProperty(PLATFORM_EXTENSION, build));
        }
        if (oneDnn && System.getProperty(HELPERS_DISABLE) == null) {
            System.setProperty(HELPERS_DISABLE, "false");
        }
    }

    /** Loads ND4J's native backend in the calling thread and runs one operation on it. */
    public static void start() {
        Nd4j.ones(DataType.FLOAT, 1).addi(1);
        limitOpenMpThreads();
    }

    /**
     * Gives the calling thread's OpenMP parallel regions {@code OMP_NUM_THREADS} threads, or one per available
     * processor where that is not set, for libnd4j and for mnist-spark's oneDNN kernels, which share libnd4j's OpenMP
     * runtime; returns the count.
     *
     * <p>Why: ND4J M2 sets the thread that loads it to 4 OpenMP threads on a 2-core machine, whatever
     * {@code OMP_NUM_THREADS} says (other threads keep the variable's count). Symptom: on that thread every
     * convolution's weight gradient ran on 4 threads that wait for each other at spinning barriers on 2 cores, and took
     * as long at batch 50 as at batch 200 (12.8 against 11.8 ms for the second convolution, oneDNN's verbose log, one
     * training thread); the thread that trains in the plain DL4J benchmark, the doctor and {@code predict} is that one.
     */
    public static int limitOpenMpThreads() {
        int threads = openMpThreadsWanted(
                System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        return threads;
    }

    /** The first count of an {@code OMP_NUM_THREADS} value ("2" or "2,1"), else {@code processors}. */
    static int openMpThreadsWanted(String variable, int processors) {
        if (variable != null) {
            try {
                int comma = variable.indexOf(',');
                int threads = Integer.parseInt((comma < 0 ? variable : variable.substring(0, comma)).trim());
                if (threads > 0) {
                    return threads;
                }
            } catch (NumberFormatException e) {
                // not a count: OpenMP ignores it too
            }
        }
        return processors;
    }

    static boolean enabled() {
        return switchedOn(SWITCH_PROPERTY, SWITCH_ENV);
    }

    /** A switch that is on unless its system property (or, without one, its environment variable) says false. */
    static boolean switchedOn(String property, String environmentVariable) {
        String value = System.getProperty(property, System.getenv(environmentVariable));
        return value == null || !value.trim().equalsIgnoreCase("false");
    }

    /**
     * The first build on the classpath that the CPU runs, in order of preference: with oneDNN, the AVX-512 oneDNN build
     * where the CPU has AVX-512, then the portable one, then the plain one; without, the plain one first.
     */
    static Optional<String> chooseBuild(Set<String> cpuFlags, boolean oneDnn) {
        List<String> preferred = new ArrayList<>();
        if (oneDnn && cpuFlags.containsAll(AVX512_FLAGS)) {
            preferred.add(AVX512_BUILD);
        }
        preferred.addAll(oneDnn ? List.of(PORTABLE_BUILD, PLAIN_BUILD) : List.of(PLAIN_BUILD, PORTABLE_BUILD));
        return preferred.stream().filter(NativeBackend::onClasspath).findFirst();
    }

    private static boolean onClasspath(String build) {
        return NativeBackend.class.getResource(BINDINGS + platform() + build + "/") != null;
    }

    /**
     * javacpp's name for this platform ({@code linux-x86_64}, {@code linux-arm64}, …), worked out as javacpp does but
     * without touching its {@code Loader}: the Loader's static initializer reads {@link #PLATFORM_EXTENSION} once, so
     * a build chosen after it has loaded is silently ignored.
     */
    static String platform() {
        String explicit = System.getProperty("org.bytedeco.javacpp.platform");
        if (explicit != null) {
            return explicit;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        os = os.startsWith("mac os x") ? "macosx" : os.startsWith("windows") ? "windows" : os.replaceFirst(" .*", "");
        arch = switch (arch) {
            case "amd64", "x86-64", "x64" -> "x86_64";
            case "aarch64", "armv8", "arm64" -> "arm64";
            case "i386", "i486", "i586", "i686", "x86" -> "x86";
            default -> arch;
        };
        return os + "-" + arch;
    }

    /**
     * The nd4j-native build whose {@code libnd4jcpu} this JVM has loaded, by the folder javacpp cached it in (e.g.
     * {@code linux-x86_64-onednn}); empty before ND4J has loaded.
     */
    public static Optional<String> loadedBuild() {
        return loadedLibrary().map(path -> {
            String platform = platform();
            int at = path.lastIndexOf(platform);
            if (at < 0) {
                return platform;
            }
            int end = path.indexOf(File.separatorChar, at);
            return path.substring(at, end < 0 ? path.length() : end);
        });
    }

    /** Where the loaded {@code libnd4jcpu} is on disk; empty before ND4J has loaded. */
    public static Optional<String> loadedLibrary() {
        return Loader.getLoadedLibraries().entrySet().stream()
                .filter(entry -> entry.getKey().contains("nd4jcpu"))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    /** The CPU's feature flags (Linux); empty where they cannot be read, which picks the portable build. */
    static Set<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return Set.of(line.substring(line.indexOf(':') + 1)
                            .trim()
                            .toLowerCase(Locale.ROOT)
                            .split("\\s+"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable
        }
        return Set.of();
    }
}
