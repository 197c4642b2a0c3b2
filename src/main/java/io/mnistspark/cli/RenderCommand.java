package io.mnistspark.cli;

import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.digits.PredictionInputException;
import io.mnistspark.evaluation.Prediction;
import io.mnistspark.output.OutputExistsException;
import io.mnistspark.output.RunSamples;
import io.mnistspark.pictures.DigitPictures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "render",
        mixinStandardHelpOptions = true,
        header =
                "Draw digit CSVs as PNG pictures, or a contact sheet of a run's misclassified and correct test digits.",
        description = {
            "render DIGIT.csv... : one PNG per CSV, dark strokes on white, 28 x --scale pixels square, written beside "
                    + "the CSV (DIGIT.png) or to --output.",
            "render --sheet --run RUN_DIR --output FILE : --count random misclassified and --count random correct test "
                    + "digits of the run, each labelled \"predicted P, actual A\"; the same --seed gives the same PNG."
        })
final class RenderCommand implements Callable<Integer> {

    private static final String PNG_SUFFIX = ".png";

    @Spec
    CommandSpec spec;

    @Mixin
    LoggingOptions logging;

    @Parameters(paramLabel = "CSV", arity = "0..*", description = "Digit CSV files to draw; any Hadoop path.")
    List<String> csvFiles = List.of();

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "The PNG to write (required with --sheet; with one CSV instead of CSV's name .png).")
    String output;

    @Option(names = "--overwrite", description = "Replace PNG files that exist.")
    boolean overwrite;

    @Option(
            names = "--scale",
            paramLabel = "N",
            defaultValue = "" + DigitPictures.DEFAULT_SCALE,
            description = "Screen pixels per digit pixel (default ${DEFAULT-VALUE}: 280x280).")
    int scale;

    @Option(names = "--sheet", description = "Draw a contact sheet of a run's test digits instead of CSVs.")
    boolean sheet;

    @Option(
            names = "--run",
            paramLabel = "RUN_DIR",
            description = "With --sheet: the output folder of a 'train' or " + "'evaluate' run.")
    String run;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "With --sheet: seed of the random choice (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--count",
            paramLabel = "K",
            defaultValue = "10",
            description =
                    "With --sheet: misclassified and correct digits to show, K of each (default ${DEFAULT-VALUE}).")
    int count;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description =
                    "With --sheet: folder of the MNIST test files " + "(default: the files the run's run.json names).")
    String dataDir;

    @Override
    public Integer call() {
        validate();
        Configuration conf = new Configuration();
        try {
            if (sheet) {
                renderSheet(conf);
            } else {
                for (String csv : csvFiles) {
                    renderDigit(csv, conf);
                }
            }
        } catch (PredictionInputException e) {
            spec.commandLine().getErr().println("mnist-spark: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.OK;
    }

    private void validate() {
        if (sheet && (run == null || output == null || !csvFiles.isEmpty())) {
            throw new ParameterException(
                    spec.commandLine(), "--sheet needs --run RUN_DIR and --output FILE, and no CSV");
        }
        if (!sheet && csvFiles.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "Give the digit CSV files to draw, or --sheet --run RUN_DIR");
        }
        if (!sheet && output != null && csvFiles.size() > 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--output names one PNG; with " + csvFiles.size()
                            + " CSV files leave it out (each PNG is written beside its CSV)");
        }
        if (scale < 1 || scale > 100) {
            throw new ParameterException(
                    spec.commandLine(), "Invalid value '" + scale + "' for option '--scale': " + "must be 1-100");
        }
        if (count < 1) {
            throw new ParameterException(
                    spec.commandLine(), "Invalid value '" + count + "' for option '--count': " + "must be >= 1");
        }
    }

    private void renderDigit(String csv, Configuration conf) {
        Path source = new Path(csv);
        DigitImage digit;
        try (InputStream in = source.getFileSystem(conf).open(source)) {
            digit = DigitCsv.read(csv, in);
        } catch (IOException e) {
            throw new PredictionInputException("Cannot read " + csv + ": " + e.getMessage(), e);
        }
        String target = output != null ? output : pngBeside(csv);
        write(DigitPictures.digit(digit, scale), target, conf);
        spec.commandLine().getOut().println(csv + " -> " + target);
    }

    private void renderSheet(Configuration conf) {
        RunSamples samples = RunSamples.load(run, Optional.ofNullable(dataDir), conf);
        // One seeded generator for both choices, so the seed alone fixes the sheet
        Random random = new Random(seed);
        List<Prediction> misclassified = RunSamples.pick(samples.misclassified(), count, random);
        List<Prediction> correct = RunSamples.pick(samples.correct(), count, random).stream()
                .map(samples::withPixels)
                .toList();
        write(
                DigitPictures.sheet(
                        misclassified,
                        samples.misclassified().size(),
                        correct,
                        samples.correct().size()),
                output,
                conf);
        spec.commandLine()
                .getOut()
                .println(String.format(
                        "%d misclassified and %d correct test digits of %s " + "(seed %d) -> %s",
                        misclassified.size(), correct.size(), run, seed, output));
    }

    private void write(BufferedImage image, String target, Configuration conf) {
        Path path = new Path(target);
        try {
            FileSystem fs = path.getFileSystem(conf);
            if (fs instanceof ChecksumFileSystem checksummed) {
                fs = checksummed.getRawFileSystem(); // no .crc file beside a picture
            }
            if (!overwrite && fs.exists(path)) {
                throw new OutputExistsException(
                        target + " already exists; it was left untouched (pass --overwrite " + "to replace it)");
            }
            try (OutputStream out = fs.create(path, true)) {
                DigitPictures.writePng(image, out);
            }
        } catch (IOException e) {
            throw new PredictionInputException("Cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static String pngBeside(String csv) {
        String base =
                csv.toLowerCase(java.util.Locale.ROOT).endsWith(".csv") ? csv.substring(0, csv.length() - 4) : csv;
        return base + PNG_SUFFIX;
    }
}
