package io.mnistspark.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Chooses ND4J's native build and turns on DL4J's oneDNN layer helpers (4-5x faster convolutions on CPU). Both are
 * system properties that ND4J and DL4J read once, so {@link #configure()} must run before the first ND4J class loads.
 *
 * <p>Switch: {@code -Dmnist.onednn=false} or {@code MNIST_ONEDNN=false} keeps ND4J's default path. Explicit
 * {@code -Djavacpp.platform.extension=…} and {@code -Dorg.eclipse.deeplearning4j.helpers.disable=…} are respected.
 */
public final class NativeBackend {

    public static final String SWITCH_PROPERTY = "mnist.onednn";
    public static final String SWITCH_ENV = "MNIST_ONEDNN";
    /** DL4J M2 reads this with a default of {@code true}: without it no layer ever gets a oneDNN helper. */
    public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";
    /** Which classifier of nd4j-native javacpp loads, e.g. {@code -onednn-avx512}. */
    public static final String PLATFORM_EXTENSION = "javacpp.platform.extension";

    static final String AVX512_BUILD = "-onednn-avx512";
    static final String PORTABLE_BUILD = "-onednn";
    /** What the -onednn-avx512 build was compiled for. */
    private static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd");

    private NativeBackend() {}

    public static void configure() {
        if (!enabled()) {
            return;
        }
        if (System.getProperty(PLATFORM_EXTENSION) == null) {
            String build = chooseBuild(cpuFlags());
            if (build == null) {
                return; // no oneDNN build on the classpath for this platform: stay on the default one
            }
            System.setProperty(PLATFORM_EXTENSION, build);
        }
        if (System.getProperty(HELPERS_DISABLE) == null) {
            System.setProperty(HELPERS_DISABLE, "false");
        }
    }

    /** Loads ND4J's native backend in the calling thread and runs one operation on it. */
    public static void start() {
        Nd4j.ones(DataType.FLOAT, 1).addi(1);
    }

    static boolean enabled() {
        return switchedOn(SWITCH_PROPERTY, SWITCH_ENV);
    }

    /** A switch that is on unless its system property (or, without one, its environment variable) says false. */
    static boolean switchedOn(String property, String environmentVariable) {
        String value = System.getProperty(property, System.getenv(environmentVariable));
        return value == null || !value.trim().equalsIgnoreCase("false");
    }

    /** The AVX-512 build where the CPU has it, else the portable one; null when neither is on the classpath. */
    static String chooseBuild(Set<String> cpuFlags) {
        List<String> candidates =
                cpuFlags.containsAll(AVX512_FLAGS) ? List.of(AVX512_BUILD, PORTABLE_BUILD) : List.of(PORTABLE_BUILD);
        String platform = org.bytedeco.javacpp.Loader.getPlatform();
        return candidates.stream()
                .filter(extension -> NativeBackend.class.getResource(
                                "/org/nd4j/linalg/cpu/nativecpu/bindings/" + platform + extension + "/")
                        != null)
                .findFirst()
                .orElse(null);
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
