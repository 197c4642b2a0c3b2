package io.mnistspark.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The README's rules for ND4J's native memory, checked instead of read: javacpp's {@code maxbytes} (ND4J's arrays) and
 * {@code maxphysicalbytes} (the whole process) against the JVM's heap, the machine's memory and, where the cluster
 * manager enforces it (YARN, Kubernetes), {@code memory + memoryOverhead}.
 */
final class MemoryRules {

    static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

    private MemoryRules() {}

    /**
     * What a JVM's limits are.
     *
     * @param heapBytes          the JVM's maximum heap
     * @param maxBytes           javacpp's limit on ND4J's arrays; 0 = none
     * @param maxPhysicalBytes   javacpp's limit on the whole process; 0 = none
     * @param machineBytes       the machine's physical memory; 0 = unknown
     * @param containerBytes     memory + memoryOverhead, where the cluster manager kills a process above it
     * @param overheadBytes      memoryOverhead there
     * @param optionsSetting     the setting that carries the JVM's -D options, e.g. spark.executor.extraJavaOptions
     */
    record Limits(
            long heapBytes,
            long maxBytes,
            long maxPhysicalBytes,
            long machineBytes,
            Optional<Long> containerBytes,
            long overheadBytes,
            String optionsSetting) {}

    static List<Check> check(String where, Limits l) {
        List<Check> checks = new ArrayList<>();
        String name = "javacpp limits";
        String found = String.format(
                "heap %s, maxbytes %s, maxphysicalbytes %s%s",
                size(l.heapBytes()),
                size(l.maxBytes()),
                size(l.maxPhysicalBytes()),
                l.containerBytes()
                        .map(c -> ", memory + memoryOverhead " + size(c))
                        .orElse(""));
        long suggested = l.heapBytes() + Math.max(l.maxBytes(), l.heapBytes() / 2) + (256L << 20);
        if (l.maxPhysicalBytes() > 0 && l.maxPhysicalBytes() <= l.heapBytes()) {
            checks.add(Check.fail(
                    name,
                    where,
                    found + ": maxphysicalbytes is below the heap, so ND4J's allocations "
                            + "fail once the heap fills; set -D" + MAX_PHYSICAL_BYTES + "=" + mib(suggested) + " in "
                            + l.optionsSetting()));
        } else if (l.containerBytes().isPresent()
                && (l.maxPhysicalBytes() == 0
                        || l.maxPhysicalBytes() > l.containerBytes().get())) {
            checks.add(Check.fail(
                    name,
                    where,
                    found + ": the cluster manager kills the process above memory + "
                            + "memoryOverhead before javacpp's limit is reached; set -D" + MAX_PHYSICAL_BYTES + "="
                            + mib(l.containerBytes().get() * 95 / 100) + " in " + l.optionsSetting()));
        } else if (l.containerBytes().isPresent() && (l.maxBytes() == 0 || l.maxBytes() > l.overheadBytes())) {
            checks.add(Check.fail(
                    name,
                    where,
                    found + ": ND4J's arrays live outside the heap, within memoryOverhead ("
                            + size(l.overheadBytes()) + "); set -D" + MAX_BYTES + "=" + mib(l.overheadBytes() * 9 / 10)
                            + " in " + l.optionsSetting() + " or raise memoryOverhead"));
        } else if (l.maxPhysicalBytes() > 0
                && l.maxBytes() > 0
                && l.maxPhysicalBytes() < l.heapBytes() + l.maxBytes()) {
            checks.add(Check.warn(
                    name,
                    where,
                    found + ": heap + maxbytes exceed maxphysicalbytes, so the process "
                            + "limit cuts ND4J's arrays short of maxbytes; raise -D" + MAX_PHYSICAL_BYTES + " to "
                            + mib(suggested) + " in " + l.optionsSetting()));
        } else if (l.machineBytes() > 0 && bound(l) > l.machineBytes()) {
            checks.add(Check.warn(
                    name,
                    where,
                    found + ": the process may grow beyond this machine's " + size(l.machineBytes()) + "; set -D"
                            + MAX_PHYSICAL_BYTES + " below it in " + l.optionsSetting()));
        } else {
            checks.add(Check.ok(name, where, found));
        }
        return checks;
    }

    /** How large the process can grow: maxphysicalbytes, or the heap and ND4J's arrays when they bound it sooner. */
    private static long bound(Limits l) {
        long physical = l.maxPhysicalBytes() > 0 ? l.maxPhysicalBytes() : Long.MAX_VALUE;
        long parts = l.maxBytes() > 0 ? l.heapBytes() + l.maxBytes() : Long.MAX_VALUE;
        return Math.min(physical, parts);
    }

    static String size(long bytes) {
        if (bytes <= 0) {
            return "unlimited";
        }
        return bytes >= 1L << 30
                ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MiB", bytes >> 20);
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + "m";
    }
}
