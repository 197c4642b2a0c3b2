package io.mnistspark.cli;

import io.mnistspark.backend.NativeBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The spark-submit entry point of mnist-spark:
 * <pre>
 * spark-submit --class io.mnistspark.cli.MnistCli mnist-spark.jar train --data-dir hdfs://… --output hdfs://…
 * </pre>
 * Outside spark-submit the jobs run on {@code local[*]} (see {@code submit/local.sh}).
 */
@Command(
        name = "mnist-spark",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Distributed training of the reference MNIST CNN on Spark (dl4j-spark parameter averaging).",
        subcommands = {
            TrainCommand.class,
            EvaluateCommand.class,
            FetchDataCommand.class,
            PredictCommand.class,
            DoctorCommand.class,
            RenderCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class MnistCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "Missing command: choose one of " + spec.subcommands().keySet());
    }

    /** The command line with mnist-spark's error handling, exit codes and configured defaults installed. */
    public static CommandLine commandLine() {
        return new CommandLine(new MnistCli())
                .setDefaultValueProvider(new ConfigOptions.Defaults())
                .setExecutionExceptionHandler(new ErrorHandler())
                .setExitCodeExceptionMapper(ErrorHandler::exitCode);
    }

    public static void main(String[] args) {
        NativeBackend.configure();
        int exitCode = commandLine().execute(args);
        // In YARN's cluster deploy mode this main runs inside Spark's ApplicationMaster, which reports the final status
        // when main returns. A System.exit(0) there ran the shutdown hook first: "Shutdown hook called before final
        // status was reported", the application was marked FAILED after it had committed its output, and YARN started
        // a second attempt. A failure still exits with its code, which the ApplicationMaster reports as failed.
        if (exitCode != ExitCodes.OK || !insideYarnApplicationMaster()) {
            System.exit(exitCode);
        }
    }

    /** Spark passes a cluster-mode driver its configuration as system properties. */
    private static boolean insideYarnApplicationMaster() {
        return "yarn".equals(System.getProperty("spark.master"))
                && "cluster".equals(System.getProperty("spark.submit.deployMode"));
    }
}
