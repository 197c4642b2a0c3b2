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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        header = "Check the driver and every executor before a job, and advise the worker count and averaging.",
        description = {
            "One line per check (check, where, ok/warn/fail, what was found or what to do), the predicted epoch time "
                    + "for 1..N workers, the recommended worker count and averaging frequency, and a summary.",
            "Exit status 0 when nothing failed, 3 otherwise; every failure names the setting or path to change."
        })
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configuration;

    @Mixin
    JobOptions job;

    @Mixin
    TrainingShapeOptions shape;

    @Mixin
    LoggingOptions logging;

    @Option(
            names = "--from-run",
            paramLabel = "RUN",
            description = "Output folder of a finished train run: its training_rounds/ calibrate the advice.")
    String fromRun;

    @Option(names = "--json", description = "Print the report as JSON, for scripts.")
    boolean json;

    @Override
    public Integer call() {
        JobConfig config = configuration.resolve(spec);
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
