package io.mnistspark.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** Options every command inherits. */
final class LoggingOptions {

    @Option(
            names = "--stacktrace",
            description = "Print the full stack trace when the command fails.",
            scope = picocli.CommandLine.ScopeType.INHERIT)
    boolean stacktrace;

    static boolean stacktraceRequested(ParseResult parseResult) {
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--stacktrace")) {
                return true;
            }
        }
        return false;
    }
}
