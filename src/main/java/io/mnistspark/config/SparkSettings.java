package io.mnistspark.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Spark settings that clusters commonly bring in their own {@code spark-defaults.conf}, and what mnist-spark does with
 * each: the ones it cannot run with are refused before any work, by {@code train} and by {@code doctor} alike, with the
 * setting named and the value to use. Pure logic over the session's settings, so it is tested without Spark.
 *
 * <ul>
 *   <li>Kryo ({@value #SERIALIZER}={@value #KRYO}) works: the session adds the registrators for what the job sends
 *       ({@code job.SparkSessions}); with {@value #KRYO_REGISTRATION_REQUIRED}=true it is refused, since DL4J's and
 *       Spark's classes in a job's closures and results are not all registered.</li>
 *   <li>Dynamic allocation is refused on a cluster: the worker count is fixed at the start of a run (it shapes every
 *       round), and executors that arrive later would sit idle while those that leave lose their training data.</li>
 *   <li>Speculation works: a speculative copy of a worker's task computes the same result (dropout seeds follow the
 *       partition), and Spark keeps the first to finish.</li>
 *   <li>Another {@value #DEFAULT_PARALLELISM} works: it is the worker count when {@code train.workers} is 0, and the
 *       round's shape is derived from it.</li>
 *   <li>A {@value #MAX_RESULT_SIZE} below what a round collects (every worker's parameters and Adam's state) is
 *       refused with the size to use.</li>
 * </ul>
 */
public final class SparkSettings {

    public static final String SERIALIZER = "spark.serializer";
    public static final String KRYO = "org.apache.spark.serializer.KryoSerializer";
    public static final String JAVA_SERIALIZER = "org.apache.spark.serializer.JavaSerializer";
    public static final String KRYO_REGISTRATOR = "spark.kryo.registrator";
    public static final String KRYO_REGISTRATION_REQUIRED = "spark.kryo.registrationRequired";
    public static final String DYNAMIC_ALLOCATION = "spark.dynamicAllocation.enabled";
    public static final String SPECULATION = "spark.speculation";
    public static final String DEFAULT_PARALLELISM = "spark.default.parallelism";
    public static final String MAX_RESULT_SIZE = "spark.driver.maxResultSize";
    /** Spark's own default of {@value #MAX_RESULT_SIZE}. */
    static final long DEFAULT_MAX_RESULT_BYTES = 1L << 30;
    /** Room on top of the arrays themselves: serialisation framing, the loss, Spark's task result wrapper. */
    private static final double RESULT_HEADROOM = 1.25;

    private static final long MIB = 1L << 20;

    private SparkSettings() {}

    /** What one setting means for a run: whether it is refused, and the one-line explanation naming it. */
    public record Finding(String setting, String value, boolean refused, String message) {}

    /**
     * Reviews the Spark settings that matter to a run: which are refused, and what each one set means.
     *
     * @param settings          the session's settings (SparkConf's)
     * @param local             whether the master is local (dynamic allocation and speculation do not apply there)
     * @param workers           the run's worker count
     * @param workerResultBytes what one worker returns a round: its parameters and updater state, in bytes
     * @return a finding for each of the settings above that is set, refused or not
     */
    public static List<Finding> review(
            Map<String, String> settings, boolean local, int workers, long workerResultBytes) {
        List<Finding> findings = new ArrayList<>();
        String serializer = settings.get(SERIALIZER);
        if (KRYO.equals(serializer)) {
            boolean required = isTrue(settings.get(KRYO_REGISTRATION_REQUIRED));
            findings.add(
                    required
                            ? new Finding(
                                    KRYO_REGISTRATION_REQUIRED,
                                    "true",
                                    true,
                                    String.format(
                                            "%s=true with %s=%s: the "
                                                    + "classes DL4J and Spark send in a training job are not all registered; set %s=false, "
                                                    + "or %s=%s",
                                            KRYO_REGISTRATION_REQUIRED,
                                            SERIALIZER,
                                            KRYO,
                                            KRYO_REGISTRATION_REQUIRED,
                                            SERIALIZER,
                                            JAVA_SERIALIZER))
                            : new Finding(
                                    SERIALIZER,
                                    serializer,
                                    false,
                                    String.format(
                                            "%s=%s works: mnist-spark adds its " + "registrators to %s",
                                            SERIALIZER, KRYO, KRYO_REGISTRATOR)));
        }
        if (isTrue(settings.get(DYNAMIC_ALLOCATION))) {
            findings.add(
                    local
                            ? new Finding(
                                    DYNAMIC_ALLOCATION,
                                    "true",
                                    false,
                                    DYNAMIC_ALLOCATION + "=true is ignored on a " + "local master")
                            : new Finding(
                                    DYNAMIC_ALLOCATION,
                                    "true",
                                    true,
                                    String.format(
                                            "%s=true: the worker count is fixed "
                                                    + "when a run starts and shapes every averaging round; set %s=false and give the "
                                                    + "executors with spark.executor.instances (or --num-executors)",
                                            DYNAMIC_ALLOCATION, DYNAMIC_ALLOCATION)));
        }
        if (isTrue(settings.get(SPECULATION))) {
            findings.add(new Finding(
                    SPECULATION,
                    "true",
                    false,
                    SPECULATION + "=true works: a speculative copy of a "
                            + "worker's task computes the same result"
                            + (local
                                    ? " (and a local master never speculates)"
                                    : "; it costs a task slot while it runs")));
        }
        if (settings.containsKey(DEFAULT_PARALLELISM)) {
            findings.add(new Finding(
                    DEFAULT_PARALLELISM,
                    settings.get(DEFAULT_PARALLELISM),
                    false,
                    String.format(
                            "%s=%s works: it is the worker count unless train.workers is set (%d workers here)",
                            DEFAULT_PARALLELISM, settings.get(DEFAULT_PARALLELISM), workers)));
        }
        long needed = (long) Math.ceil(workers * workerResultBytes * RESULT_HEADROOM);
        String maxResult = settings.get(MAX_RESULT_SIZE);
        long allowed = maxResult == null ? DEFAULT_MAX_RESULT_BYTES : parseBytes(MAX_RESULT_SIZE, maxResult);
        if (allowed > 0 && allowed < needed) {
            long neededMib = (needed + MIB - 1) / MIB;
            findings.add(new Finding(
                    MAX_RESULT_SIZE,
                    maxResult == null ? "1g" : maxResult,
                    true,
                    String.format(
                            "%s=%s is below what an averaging round collects (%d workers x %.1f MB of parameters and Adam's "
                                    + "state); set %s=%dm or more (0 = no limit)",
                            MAX_RESULT_SIZE,
                            maxResult == null ? "1g" : maxResult,
                            workers,
                            workerResultBytes / 1e6,
                            MAX_RESULT_SIZE,
                            neededMib)));
        }
        return findings;
    }

    /** Throws a {@link ConfigException} naming every refused setting; returns the findings otherwise. */
    public static List<Finding> requireSupported(
            Map<String, String> settings, boolean local, int workers, long workerResultBytes) {
        List<Finding> findings = review(settings, local, workers, workerResultBytes);
        List<String> refused =
                findings.stream().filter(Finding::refused).map(Finding::message).toList();
        if (!refused.isEmpty()) {
            throw new ConfigException("Spark setting(s) mnist-spark cannot train with: " + String.join("; ", refused));
        }
        return findings;
    }

    /** Spark's size notation: a number with an optional unit b, k, m, g or t (binary, as Spark reads it). */
    static long parseBytes(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith("b") && v.length() > 1 && !Character.isDigit(v.charAt(v.length() - 2))) {
            v = v.substring(0, v.length() - 1); // "mb", "gb"
        }
        long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
            case 'b' -> 1;
            case 'k' -> 1L << 10;
            case 'm' -> MIB;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 0;
        };
        String number = unit == 0 ? v : v.substring(0, v.length() - 1);
        try {
            return Long.parseLong(number.trim()) * (unit == 0 ? 1 : unit);
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + key + "' must be a size such as 512m or 2g but is '" + value + "'");
        }
    }

    private static boolean isTrue(String value) {
        return value != null && value.trim().equalsIgnoreCase("true");
    }
}
