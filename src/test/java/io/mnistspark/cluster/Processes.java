package io.mnistspark.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the fault tests ask of a process they are about to kill: whether it is still at work. */
final class Processes {

    private Processes() {}

    /**
     * Whether the processes together used at least half a core over the next 100 ms. A driver's UI learns of task ends
     * with some delay and the event log comes later still; an executor between two tasks idles, so a busy one is in a
     * task.
     */
    static boolean busy(List<ProcessHandle> processes) throws InterruptedException {
        long before = processes.stream().mapToLong(Processes::cpuTicks).sum();
        Thread.sleep(100);
        long after = processes.stream().mapToLong(Processes::cpuTicks).sum();
        return after - before >= 5; // clock ticks of 10 ms
    }

    /** User and system CPU time of a process so far, in clock ticks (Linux /proc/PID/stat); 0 once it is gone. */
    static long cpuTicks(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
