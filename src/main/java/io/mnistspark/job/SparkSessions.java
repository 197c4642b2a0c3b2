package io.mnistspark.job;

import io.mnistspark.config.SparkSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/** Creates the job's SparkSession: spark-submit's settings win; outside it, the configured master (local[*]). */
public final class SparkSessions {

    private SparkSessions() {}

    public static SparkSession create(String appName, String fallbackMaster) {
        SparkConf conf = new SparkConf(); // picks up the spark.* system properties spark-submit sets
        if (!conf.contains("spark.master")) {
            conf.setMaster(fallbackMaster);
        }
        if (!conf.contains("spark.app.name")) {
            conf.setAppName(appName);
        }
        if (conf.get("spark.master").startsWith("local")) {
            // A laptop run serves its UI and its block manager on loopback only.
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        if (SparkSettings.KRYO.equals(conf.get(SparkSettings.SERIALIZER, null))) {
            // Kryo's default FieldSerializer cannot build records (io.mnistspark.data.Slice, "Unable to create
            // serializer ... FieldSerializer") nor ND4J's arrays: what the job sends goes through Java serialisation.
            String registrators = conf.get(SparkSettings.KRYO_REGISTRATOR, "");
            if (!registrators.contains(KryoRegistration.class.getName())) {
                conf.set(
                        SparkSettings.KRYO_REGISTRATOR,
                        (registrators.isBlank() ? "" : registrators + ",") + KryoRegistration.class.getName());
            }
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /**
     * Throws a {@code ConfigException} naming each Spark setting of the session that mnist-spark cannot train with
     * (see {@link SparkSettings}), and the value to use; reports the others it met.
     */
    public static void requireSupportedSettings(
            JavaSparkContext sc, int workers, long workerResultBytes, Consumer<String> console) {
        List<SparkSettings.Finding> findings = SparkSettings.requireSupported(
                settings(sc), sc.master().startsWith("local"), workers, workerResultBytes);
        findings.forEach(finding -> console.accept("Spark setting: " + finding.message()));
    }

    /** The session's Spark settings, as {@link SparkSettings} reads them. */
    public static Map<String, String> settings(JavaSparkContext sc) {
        Map<String, String> settings = new HashMap<>();
        for (Tuple2<String, String> entry : sc.getConf().getAll()) {
            settings.put(entry._1(), entry._2());
        }
        return settings;
    }
}
