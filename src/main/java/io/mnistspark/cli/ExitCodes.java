package io.mnistspark.cli;

/** The exit statuses of every mnist-spark command, as documented in the README. */
public final class ExitCodes {
    public static final int OK = 0;
    /** An unexpected failure (a bug, or the cluster failed). */
    public static final int FAILURE = 1;
    /** Wrong command-line usage. */
    public static final int USAGE = 2;
    /** Bad input: a data file, configuration value or model that is missing or malformed. */
    public static final int BAD_INPUT = 3;
    /** The output folder exists and --overwrite was not given; nothing was touched. */
    public static final int OUTPUT_EXISTS = 4;
    /** predict: some inputs could not be scored (each is named with its problem); the others were scored and written. */
    public static final int SOME_INPUTS_FAILED = 5;

    private ExitCodes() {}
}
