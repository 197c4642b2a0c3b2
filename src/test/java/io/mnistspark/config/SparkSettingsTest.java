package io.mnistspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkSettingsTest {

    /** The reference CNN's parameters and Adam's two moments, as floats. */
    private static final long RESULT_BYTES = 175_224L * 3 * 4;

    @Test
    void review_noSettings_findsNothing() {
        assertTrue(SparkSettings.review(Map.of(), false, 8, RESULT_BYTES).isEmpty());
    }

    @Test
    void review_kryo_works() {
        List<SparkSettings.Finding> findings =
                SparkSettings.review(Map.of(SparkSettings.SERIALIZER, SparkSettings.KRYO), false, 2, RESULT_BYTES);
        assertEquals(1, findings.size());
        assertFalse(findings.get(0).refused());
    }

    @Test
    void requireSupported_kryoWithRegistrationRequired_isRefusedNamingTheSettingAndTheValueToUse() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> SparkSettings.requireSupported(
                        Map.of(
                                SparkSettings.SERIALIZER,
                                SparkSettings.KRYO,
                                SparkSettings.KRYO_REGISTRATION_REQUIRED,
                                "true"),
                        false,
                        2,
                        RESULT_BYTES));
        assertTrue(e.getMessage().contains("spark.kryo.registrationRequired=false"), e.getMessage());
    }

    @Test
    void requireSupported_dynamicAllocation_isRefusedOnAClusterButIgnoredLocally() {
        Map<String, String> settings = Map.of(SparkSettings.DYNAMIC_ALLOCATION, "true");
        ConfigException e = assertThrows(
                ConfigException.class, () -> SparkSettings.requireSupported(settings, false, 2, RESULT_BYTES));
        assertTrue(e.getMessage().contains("spark.dynamicAllocation.enabled=false"), e.getMessage());
        assertFalse(SparkSettings.requireSupported(settings, true, 2, RESULT_BYTES)
                .get(0)
                .refused());
    }

    @Test
    void review_speculationAndDefaultParallelism_work() {
        List<SparkSettings.Finding> findings = SparkSettings.review(
                Map.of(SparkSettings.SPECULATION, "true", SparkSettings.DEFAULT_PARALLELISM, "6"),
                false,
                6,
                RESULT_BYTES);
        assertEquals(2, findings.size());
        assertTrue(findings.stream().noneMatch(SparkSettings.Finding::refused));
    }

    @Test
    void requireSupported_maxResultSizeBelowARound_isRefusedWithTheSizeToUse() {
        // 8 workers x 2.1 MB x 1.25 = 21.0 MB: 21m (ceil of MiB)
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> SparkSettings.requireSupported(
                        Map.of(SparkSettings.MAX_RESULT_SIZE, "1m"), false, 8, RESULT_BYTES));
        assertTrue(e.getMessage().contains("spark.driver.maxResultSize=21m"), e.getMessage());
        assertTrue(
                SparkSettings.review(Map.of(SparkSettings.MAX_RESULT_SIZE, "0"), false, 8, RESULT_BYTES)
                        .isEmpty(),
                "0 means no limit");
        assertTrue(SparkSettings.review(Map.of(SparkSettings.MAX_RESULT_SIZE, "64m"), false, 8, RESULT_BYTES)
                .isEmpty());
    }

    @Test
    void parseBytes_readsSparkSizes() {
        assertEquals(1L << 20, SparkSettings.parseBytes("k", "1m"));
        assertEquals(2L << 30, SparkSettings.parseBytes("k", "2g"));
        assertEquals(512L << 20, SparkSettings.parseBytes("k", "512MB"));
        assertEquals(1000, SparkSettings.parseBytes("k", "1000"));
        assertThrows(ConfigException.class, () -> SparkSettings.parseBytes("k", "lots"));
    }
}
