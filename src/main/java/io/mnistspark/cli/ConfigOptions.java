package io.mnistspark.cli;

import io.mnistspark.config.ConfigKeys;
import io.mnistspark.config.ConfigLoader;
import io.mnistspark.config.JobConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The one way every command turns its options into a {@link JobConfig}: the bundled defaults, then {@code --conf},
 * then each option given on the command line. An option names the configuration key it sets as its picocli
 * {@code descriptionKey}; {@link Defaults} shows that key's bundled default in {@code --help}.
 */
final class ConfigOptions {

    @Option(
            names = "--conf",
            paramLabel = "FILE",
            description = "Properties file overriding conf/mnist-cnn.properties (same keys; the defaults shown are "
                    + "that file's), or the run.json of a finished run, whose settings it then repeats.")
    Path confFile;

    /** The configuration of the command {@code spec} describes, after its command line was parsed. */
    JobConfig resolve(CommandSpec spec) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            if (ConfigKeys.ALL.contains(option.descriptionKey())) {
                overrides.put(option.descriptionKey(), String.valueOf(option.<Object>getValue()));
            }
        }
        return ConfigLoader.load(confFile, overrides);
    }

    /** Gives every option that sets a configuration key the bundled default of that key. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argument) {
            if (argument instanceof OptionSpec option && ConfigKeys.ALL.contains(option.descriptionKey())) {
                return ConfigLoader.defaultValue(option.descriptionKey());
            }
            return null;
        }
    }
}
