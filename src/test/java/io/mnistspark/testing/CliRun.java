package io.mnistspark.testing;

import io.mnistspark.cli.MnistCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** A command run through mnist-spark's own command line (error handling and exit codes included), output captured. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = MnistCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}
