package io.mnistspark.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnistspark.cli.ExitCodes;
import io.mnistspark.config.SparkSettings;
import io.mnistspark.testing.CliRun;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code doctor} through the CLI on a real local[2] Spark session: healthy, with a real run, and with faults. */
class DoctorCommandTest {

    /** What a doctor run on local[2] checks, on the driver and on the one executor (the driver's JVM). */
    private static final Set<String> CHECKS = Set.of(
            "java",
            "spark and scala",
            "nd4j backend",
            "dl4j onednn helpers",
            "onednn isa",
            "mnist onednn kernels",
            "javacpp limits",
            "workers",
            "data readable",
            "output folder",
            "executors",
            "omp threads",
            "local dir space",
            "output writable",
            "training step");

    @TempDir
    static Path work;

    private static Path mnist;
    private static CliRun healthy;

    @BeforeAll
    static void runDoctorOnce() throws IOException {
        mnist = TestData.mnist();
        healthy = CliRun.run(
                doctor(mnist.toString(), work.resolve("out").toString()).toArray(String[]::new));
    }

    private static List<String> doctor(String dataDir, String output, String... more) {
        List<String> args =
                new ArrayList<>(List.of("doctor", "--master", "local[2]", "--data-dir", dataDir, "--output", output));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void doctor_onLocal2_passesEveryCheckAndExitsZero() {
        assertEquals(ExitCodes.OK, healthy.exitCode(), healthy.out() + healthy.err());
        Set<String> seen = new TreeSet<>();
        for (String line : healthy.out().lines().toList()) {
            for (String check : CHECKS) {
                if (line.startsWith(check + " ")) {
                    seen.add(check);
                    assertFalse(line.contains("  fail  "), line);
                }
            }
        }
        assertEquals(new TreeSet<>(CHECKS), seen, healthy.out());
        assertTrue(healthy.out().contains(" 0 fail "), healthy.out());
    }

    @Test
    void doctor_printsThePredictedEpochTimeForOneAndTwoWorkers_andItsAdvice() {
        List<String> lines = healthy.out().lines().toList();
        int table = lines.indexOf("Predicted epoch time:");
        assertTrue(table >= 0, healthy.out());
        assertTrue(lines.get(table + 2).trim().startsWith("1 "), lines.get(table + 2));
        assertTrue(lines.get(table + 3).trim().startsWith("2 "), lines.get(table + 3));
        assertTrue(healthy.out().contains("Advice: "), healthy.out());
        assertTrue(healthy.out().contains("Model: epoch(W) = rounds(W) x"), healthy.out());
    }

    @Test
    void doctor_json_parses_andCalibratesOnARealRun() throws IOException {
        Path run = work.resolve("small-run");
        CliRun train = CliRun.run(
                "train",
                "--master",
                "local[2]",
                "--data-dir",
                mnist.toString(),
                "--output",
                run.toString(),
                "--train-limit",
                "1000",
                "--test-limit",
                "200",
                "--epochs",
                "1");
        assertEquals(ExitCodes.OK, train.exitCode(), train.err());

        CliRun result = CliRun.run(
                doctor(mnist.toString(), work.resolve("out-json").toString(), "--json", "--from-run", run.toString())
                        .toArray(String[]::new));

        assertEquals(ExitCodes.OK, result.exitCode(), result.out() + result.err());
        JsonNode report = new ObjectMapper().readTree(result.out());
        assertTrue(report.get("ok").asBoolean());
        assertEquals(0, report.get("summary").get("fail").asInt());
        JsonNode advice = report.get("advice");
        assertEquals(2, advice.get("predictions").size());
        assertTrue(advice.get("predictions").get(0).get("epoch_seconds").asDouble() > 0);
        assertTrue(advice.get("workers").asInt() >= 1 && advice.get("workers").asInt() <= 2);
        assertTrue(advice.get("note").asText().contains("calibrated on"), advice.toString());
        boolean calibrated = false;
        for (JsonNode check : report.get("checks")) {
            calibrated |= check.get("check").asText().equals("from-run")
                    && check.get("status").asText().equals("ok");
        }
        assertTrue(calibrated, result.out());
    }

    @Test
    void doctor_withAMissingDataFolderAndAReadOnlyOutputParent_failsNamingEachPath_andExitsThree() {
        String missing = work.resolve("no-such-data").toString();
        // Not even root may create a file in /proc
        String readOnly = "/proc/mnist-doctor-test/run";

        CliRun result = CliRun.run(doctor(missing, readOnly).toArray(String[]::new));

        assertEquals(ExitCodes.BAD_INPUT, result.exitCode(), result.out() + result.err());
        assertTrue(failLine(result, "data readable").contains(missing), result.out());
        assertTrue(
                result.out()
                        .lines()
                        .filter(line -> line.startsWith("data readable ") && line.contains("executor"))
                        .anyMatch(line -> line.contains("  fail  ") && line.contains(missing)),
                result.out());
        assertTrue(failLine(result, "output writable").contains(readOnly), result.out());
        assertTrue(result.out().contains("fix the failures above"), result.out());
    }

    @Test
    void doctor_withKryoRegistrationRequired_failsAsTrainRefusesIt() {
        System.setProperty(SparkSettings.SERIALIZER, SparkSettings.KRYO);
        System.setProperty(SparkSettings.KRYO_REGISTRATION_REQUIRED, "true");
        CliRun result;
        try {
            result =
                    CliRun.run(doctor(mnist.toString(), work.resolve("out-kryo").toString())
                            .toArray(String[]::new));
        } finally {
            System.clearProperty(SparkSettings.SERIALIZER);
            System.clearProperty(SparkSettings.KRYO_REGISTRATION_REQUIRED);
        }

        assertEquals(ExitCodes.BAD_INPUT, result.exitCode(), result.out() + result.err());
        assertTrue(failLine(result, "spark setting").contains("spark.kryo.registrationRequired=false"), result.out());
    }

    private static String failLine(CliRun result, String check) {
        return result.out()
                .lines()
                .filter(line -> line.startsWith(check + " ") && line.contains("  fail  "))
                .findFirst()
                .orElse("no failed '" + check + "' line");
    }
}
