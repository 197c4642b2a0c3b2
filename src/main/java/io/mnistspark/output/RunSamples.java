package io.mnistspark.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnistspark.config.ConfigLoader;
import io.mnistspark.data.IdxFormatException;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Slice;
import io.mnistspark.data.Split;
import io.mnistspark.digits.PredictionInputException;
import io.mnistspark.evaluation.Prediction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * The correctly classified and the misclassified test digits of a 'train' or 'evaluate' run, read from its
 * {@code predictions/} and {@code misclassified/} tables with parquet-hadoop (no Spark: the tables are small). Only
 * misclassified digits are stored with their pixels; a correct digit's pixels are read from the test IDX file by its
 * index: the file the run's {@code run.json} names, or the one in a given data folder.
 */
public final class RunSamples {

    private final String run;
    private final List<Prediction> correct;
    private final List<Prediction> misclassified;
    /** The test IDX files, or the message saying why none were found (correct digits then have no pixels). */
    private final MnistFiles.SplitFiles testFiles;

    private final String testFilesProblem;
    private final Configuration conf;

    private RunSamples(
            String run,
            List<Prediction> correct,
            List<Prediction> misclassified,
            MnistFiles.SplitFiles testFiles,
            String testFilesProblem,
            Configuration conf) {
        this.run = run;
        this.correct = correct;
        this.misclassified = misclassified;
        this.testFiles = testFiles;
        this.testFilesProblem = testFilesProblem;
        this.conf = conf;
    }

    /**
     * Reads a run's two tables, sorted by index.
     *
     * @param dataDir a folder holding the test IDX files, instead of those {@code run.json} names
     */
    public static RunSamples load(String run, Optional<String> dataDir, Configuration conf) {
        List<Prediction> all = readTable(run, Tables.PREDICTIONS, conf);
        List<Prediction> misclassified = readTable(run, Tables.MISCLASSIFIED, conf);
        List<Prediction> correct = all.stream().filter(Prediction::isCorrect).toList();
        try {
            MnistFiles.SplitFiles testFiles = dataDir.isPresent()
                    ? MnistFiles.locate(dataDir.get(), Split.TEST, conf)
                    : testFilesOfRun(run, conf)
                            .orElseGet(() ->
                                    MnistFiles.locate(ConfigLoader.defaults().dataDir(), Split.TEST, conf));
            return new RunSamples(run, correct, misclassified, testFiles, null, conf);
        } catch (IdxFormatException e) {
            // Misclassified digits carry their pixels; only correct ones need the test files
            return new RunSamples(run, correct, misclassified, null, e.getMessage(), conf);
        }
    }

    public String run() {
        return run;
    }

    public List<Prediction> correct() {
        return correct;
    }

    public List<Prediction> misclassified() {
        return misclassified;
    }

    /** {@code count} distinct digits of {@code from} (all of them if it has fewer), chosen with {@code random}. */
    public static List<Prediction> pick(List<Prediction> from, int count, Random random) {
        List<Prediction> pool = new ArrayList<>(from);
        int n = Math.min(count, pool.size());
        for (int i = 0; i < n; i++) {
            java.util.Collections.swap(pool, i, i + random.nextInt(pool.size() - i));
        }
        return List.copyOf(pool.subList(0, n));
    }

    /** The digit with its pixels, read from the test IDX file when the table did not store them. */
    public Prediction withPixels(Prediction digit) {
        if (digit.pixels() != null) {
            return digit;
        }
        if (testFiles == null) {
            throw new PredictionInputException("Cannot show correct test digits of " + run + ": " + testFilesProblem);
        }
        Slice image = MnistFiles.readSlice(testFiles, digit.index(), 1, conf);
        if (image.label(0) != digit.label()) {
            throw new PredictionInputException(String.format(
                    "%s: image %d is labelled %d, but run %s says %d: the "
                            + "test files are not the ones the run was evaluated on",
                    testFiles.images(), digit.index(), image.label(0), run, digit.label()));
        }
        return digit.withPixels(image.greyValues(0));
    }

    private static List<Prediction> readTable(String run, String table, Configuration conf) {
        Path folder = RunLayout.entryOf(run, table);
        List<Prediction> digits = new ArrayList<>();
        try {
            FileSystem fs = folder.getFileSystem(conf);
            if (!fs.isDirectory(folder)) {
                throw new PredictionInputException(
                        run + ": no " + table + "/ table; give the output folder of a " + "'train' or 'evaluate' run");
            }
            for (FileStatus part : fs.listStatus(folder, p -> p.getName().endsWith(".parquet"))) {
                try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), part.getPath())
                        .withConf(conf)
                        .build()) {
                    for (Group row = reader.read(); row != null; row = reader.read()) {
                        digits.add(toDigit(row));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PredictionInputException inputError) {
                throw inputError;
            }
            throw new PredictionInputException("Cannot read table " + folder + ": " + e.getMessage(), e);
        }
        digits.sort(Comparator.comparingInt(Prediction::index));
        return List.copyOf(digits);
    }

    private static Prediction toDigit(Group row) {
        float[] probabilities = floats(row.getGroup(Tables.PROBABILITIES, 0));
        int[] pixels = row.getType().containsField(Tables.PIXELS) ? ints(row.getGroup(Tables.PIXELS, 0)) : null;
        return new Prediction(
                row.getInteger(Tables.INDEX, 0),
                row.getInteger(Tables.LABEL, 0),
                row.getInteger(Tables.PREDICTED, 0),
                row.getFloat(Tables.CONFIDENCE, 0),
                probabilities,
                pixels);
    }

    /** A Parquet LIST of floats as Spark writes it: a repeated group of one element each (or, legacy, repeated values). */
    private static float[] floats(Group list) {
        int n = list.getFieldRepetitionCount(0);
        float[] values = new float[n];
        boolean legacy = list.getType().getType(0).isPrimitive();
        for (int i = 0; i < n; i++) {
            values[i] = legacy ? list.getFloat(0, i) : list.getGroup(0, i).getFloat(0, 0);
        }
        return values;
    }

    private static int[] ints(Group list) {
        int n = list.getFieldRepetitionCount(0);
        int[] values = new int[n];
        boolean legacy = list.getType().getType(0).isPrimitive();
        for (int i = 0; i < n; i++) {
            values[i] = legacy ? list.getInteger(0, i) : list.getGroup(0, i).getInteger(0, 0);
        }
        return values;
    }

    /** The test files {@code run.json} says the run was evaluated on, when it says so and they are still there. */
    private static Optional<MnistFiles.SplitFiles> testFilesOfRun(String run, Configuration conf) {
        return RunJson.read(run, conf).flatMap(info -> {
            JsonNode test = info.path(RunJson.DATA).path(RunJson.TEST);
            String images = test.path(RunJson.IMAGES_FILE).asText(null);
            String labels = test.path(RunJson.LABELS_FILE).asText(null);
            try {
                if (images == null || labels == null || !exists(images, conf) || !exists(labels, conf)) {
                    return Optional.empty();
                }
            } catch (IOException e) {
                return Optional.empty();
            }
            return Optional.of(new MnistFiles.SplitFiles(Split.TEST, images, labels));
        });
    }

    private static boolean exists(String file, Configuration conf) throws IOException {
        Path path = new Path(file);
        return path.getFileSystem(conf).isFile(path);
    }
}
