package io.mnistspark.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemoryRulesTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final String OPTIONS = ExecutorProbe.OPTIONS_SETTING;

    private static Check only(MemoryRules.Limits limits) {
        var checks = MemoryRules.check("executor 1", limits);
        assertEquals(1, checks.size());
        return checks.get(0);
    }

    @Test
    void check_theSharedSettings_pass() {
        // conf/spark-defaults.conf: executor 1g, overhead 1g, maxbytes 768m, maxphysicalbytes 1800m
        Check check =
                only(new MemoryRules.Limits(GIB, 768 * MIB, 1800 * MIB, 16 * GIB, Optional.of(2 * GIB), GIB, OPTIONS));
        assertEquals(Check.Status.OK, check.status(), check.detail());
    }

    @Test
    void check_maxPhysicalBytesBelowTheHeap_failsNamingTheProperty() {
        Check check = only(new MemoryRules.Limits(GIB, 256 * MIB, 900 * MIB, 16 * GIB, Optional.empty(), GIB, OPTIONS));
        assertEquals(Check.Status.FAIL, check.status());
        assertTrue(
                check.detail().contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=")
                        && check.detail().contains(OPTIONS),
                check.detail());
    }

    @Test
    void check_maxPhysicalBytesAboveTheContainer_failsWhereTheClusterManagerEnforcesIt() {
        var limits = new MemoryRules.Limits(GIB, 768 * MIB, 4 * GIB, 16 * GIB, Optional.of(2 * GIB), GIB, OPTIONS);
        assertEquals(Check.Status.FAIL, only(limits).status());
        var standalone = new MemoryRules.Limits(GIB, 768 * MIB, 4 * GIB, 16 * GIB, Optional.empty(), GIB, OPTIONS);
        assertEquals(
                Check.Status.OK, only(standalone).status(), only(standalone).detail());
    }

    @Test
    void check_maxBytesBeyondTheOverhead_failsWhereEnforced() {
        Check check =
                only(new MemoryRules.Limits(GIB, 1536 * MIB, 1900 * MIB, 16 * GIB, Optional.of(2 * GIB), GIB, OPTIONS));
        assertEquals(Check.Status.FAIL, check.status());
        assertTrue(check.detail().contains("-Dorg.bytedeco.javacpp.maxbytes="), check.detail());
    }

    @Test
    void check_aProcessThatMayOutgrowTheMachine_warns() {
        Check check = only(new MemoryRules.Limits(8 * GIB, 0, 0, 4 * GIB, Optional.empty(), GIB, OPTIONS));
        assertEquals(Check.Status.WARN, check.status());
    }
}
