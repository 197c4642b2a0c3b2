package io.mnistspark.job;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Turns the inputs a person gives {@code predict} into the list of digit files to score, on the driver: a file is
 * taken whatever its name; a folder contributes its {@code .csv} files (not its subfolders, nor hidden {@code .x} and
 * {@code _x} files); Hadoop globs such as {@code hdfs:///digits/*.csv} are expanded. Inputs that lead to no file are
 * failures, not errors, so the rest is still scored.
 */
final class DigitFiles {

    static final String CSV_SUFFIX = ".csv";
    private static final java.util.regex.Pattern GLOB = java.util.regex.Pattern.compile("[*?\\[{]");

    private DigitFiles() {}

    /** A file to score: its position in the listing, its name as the person gave it, and its qualified path. */
    record DigitFile(int position, String name, String path) implements Serializable {}

    /** The files to score and the inputs that gave none. */
    record Listing(List<DigitFile> files, List<FileOutcome> failures) {}

    static Listing list(List<String> inputs, Configuration conf) {
        List<DigitFile> files = new ArrayList<>();
        List<FileOutcome> failures = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        int position = 0;
        for (String input : inputs) {
            try {
                Path given = new Path(input);
                FileSystem fs = given.getFileSystem(conf);
                FileStatus[] matches = fs.globStatus(given);
                if (matches == null || matches.length == 0) {
                    failures.add(FileOutcome.failed(position++, input, input + ": no such file or folder"));
                    continue;
                }
                boolean glob = GLOB.matcher(input).find();
                Arrays.sort(matches, Comparator.comparing(FileStatus::getPath));
                for (FileStatus match : matches) {
                    String name = glob ? match.getPath().toString() : input;
                    if (!match.isDirectory()) {
                        if (seen.add(match.getPath().toString())) {
                            files.add(new DigitFile(
                                    position++, name, match.getPath().toString()));
                        }
                        continue;
                    }
                    List<FileStatus> csvs = csvFilesIn(fs, match.getPath());
                    if (csvs.isEmpty()) {
                        failures.add(FileOutcome.failed(
                                position++, name, name + ": folder holds no " + CSV_SUFFIX + " files"));
                    }
                    for (FileStatus csv : csvs) {
                        if (seen.add(csv.getPath().toString())) {
                            files.add(new DigitFile(
                                    position++,
                                    new Path(name, csv.getPath().getName()).toString(),
                                    csv.getPath().toString()));
                        }
                    }
                }
            } catch (IOException | IllegalArgumentException e) {
                failures.add(FileOutcome.failed(position++, input, input + ": cannot list: " + e.getMessage()));
            }
        }
        return new Listing(files, failures);
    }

    private static List<FileStatus> csvFilesIn(FileSystem fs, Path folder) throws IOException {
        List<FileStatus> csvs = new ArrayList<>();
        for (FileStatus child : fs.listStatus(folder)) {
            String name = child.getPath().getName();
            if (child.isFile()
                    && name.toLowerCase(Locale.ROOT).endsWith(CSV_SUFFIX)
                    && !name.startsWith(".")
                    && !name.startsWith("_")) {
                csvs.add(child);
            }
        }
        csvs.sort(Comparator.comparing(FileStatus::getPath));
        return csvs;
    }
}
