package io.mnistspark.job;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Creates the job's SparkSession: spark-submit's settings win; outside it, the configured master (local[*]). */
public final class SparkSessions {

    private SparkSessions() {
    }

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
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
