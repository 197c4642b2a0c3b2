package io.mnistspark.cli;

import picocli.CommandLine.Option;

/** The trained model a command reads: {@code evaluate}, {@code predict} and {@code serve} share it. */
final class ModelOption {

    @Option(
            names = "--model",
            paramLabel = "PATH",
            required = true,
            description = "A model zip, or the output folder of a 'train' run.")
    String model;
}
