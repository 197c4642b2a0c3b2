package io.mnistspark.cli;

import io.mnistspark.config.JobConfig;
import io.mnistspark.doctor.Doctor;
import io.mnistspark.doctor.DoctorReport;
import io.mnistspark.job.SparkSessions;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        header = "Check the driver and every executor before a job, and advise the worker count and averaging.",
        description = {
            "One line per check (check, where, ok/warn/fail, what was found or what to do), the predicted epoch time "
                    + "for 1..N workers, the recommended worker count and averaging frequency, and a summary.",
            "Exit status 0 when nothing failed, 3 otherwise; every failure names the setting or path to change."})
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    JobOptions job;

    @Mixin
    LoggingOptions logging;

    @Option(names = "--train-limit", paramLabel = "N", description = "Advise for the first N training images (0 = all).")
    Integer trainLimit;

    @Option(names = "--batch-size-per-worker", paramLabel = "N",
            description = "The minibatch (or its upper bound) to advise for, as train takes it.")
    Integer batchSizePerWorker;

    @Option(names = "--averaging-frequency", paramLabel = "N",
            description = "The averaging frequency to advise for, as train takes it (0 = derived).")
    Integer averagingFrequency;

    @Option(names = "--workers", paramLabel = "N", description = "The worker count train would use (0 = Spark's "
            + "default parallelism).")
    Integer workers;

    @Option(names = "--from-run", paramLabel = "RUN",
            description = "Output folder of a finished train run: its training_rounds/ calibrate the advice.")
    String fromRun;

    @Option(names = "--json", description = "Print the report as JSON, for scripts.")
    boolean json;

    @Override
    public Integer call() {
        JobConfig config = job.put("data.train-limit", trainLimit).put("train.batch-size-per-worker", batchSizePerWorker)
                .put("train.averaging-frequency", averagingFrequency).put("train.workers", workers).resolve();
        DoctorReport report;
        try (SparkSession spark = SparkSessions.create("mnist-spark doctor", config.sparkMaster())) {
            report = new Doctor(config, Optional.ofNullable(fromRun)).run(spark);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.json() : report.text());
        out.flush();
        return report.failed() ? ExitCodes.BAD_INPUT : ExitCodes.OK;
    }
}
