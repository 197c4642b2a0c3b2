package io.mnistspark.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The checks that need no Spark session: flags in effect in this JVM (started with conf/java17.args), settings. */
class NodeChecksTest {

    @Test
    void java17Flags_areTheLinesOfConfJava17Args() throws IOException {
        List<String> file = Files.readAllLines(Path.of("conf/java17.args")).stream()
                .map(String::trim)
                .filter(line -> !line.isEmpty())
                .toList();
        assertEquals(file, NodeChecks.java17Flags());
    }

    @Test
    void inEffect_seesOpenedPackagesAndSystemProperties_notJustTheirNames() {
        assertTrue(NodeChecks.inEffect("--add-opens=java.base/java.lang=ALL-UNNAMED"));
        assertFalse(NodeChecks.inEffect("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"));
        assertTrue(NodeChecks.inEffect("-Djdk.reflect.useDirectMethodHandle=false"));
        assertFalse(NodeChecks.inEffect("-Dmnist.doctor.test.unset=true"));
    }

    @Test
    void java17_inThisJvm_isOk() {
        Check check = NodeChecks.java17("driver", "spark.driver.extraJavaOptions");
        assertEquals(Check.Status.OK, check.status(), check.detail());
    }

    @Test
    void expectedExecutors_followTheSettings() {
        assertEquals(0, Doctor.expectedExecutors(new SparkConf(false)));
        assertEquals(4, Doctor.expectedExecutors(new SparkConf(false).set("spark.executor.instances", "4")));
        assertEquals(
                2,
                Doctor.expectedExecutors(
                        new SparkConf(false).set("spark.cores.max", "4").set("spark.executor.cores", "2")));
    }
}
