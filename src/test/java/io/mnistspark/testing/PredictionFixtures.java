package io.mnistspark.testing;

import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Slice;
import io.mnistspark.data.Split;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.output.RunSamples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * What the prediction tests share: the real MNIST files ({@code -Dmnist.data.dir}, default {@code data/mnist}, fetched
 * on first use) and one tiny model trained once per test JVM, with its run folder.
 */
public final class PredictionFixtures {

    /** Test images the tiny run predicted (its --test-limit). */
    public static final int RUN_TEST_IMAGES = 500;

    private static Path run;

    private PredictionFixtures() {}

    public static Path mnist() throws IOException {
        return TestData.mnist();
    }

    /** A run folder with model/, predictions/, misclassified/ and run.json: 3000 images, 2 epochs, local[2]. */
    public static synchronized Path trainedRun() throws IOException {
        if (run == null) {
            Path parent = Files.createTempDirectory("mnist-prediction-run");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(parent)));
            Path target = parent.resolve("run");
            CliRun cli = CliRun.run(
                    "train",
                    "--data-dir",
                    mnist().toString(),
                    "--train-limit",
                    "3000",
                    "--test-limit",
                    String.valueOf(RUN_TEST_IMAGES),
                    "--epochs",
                    "2",
                    "--output",
                    target.toString(),
                    "--master",
                    "local[2]");
            if (cli.exitCode() != 0) {
                throw new IllegalStateException("training the test model failed: " + cli.err() + cli.out());
            }
            run = target;
        }
        return run;
    }

    /** The run's own test-set predictions, read back from its tables. */
    public static RunSamples runSamples() throws IOException {
        return RunSamples.load(trainedRun().toString(), Optional.of(mnist().toString()), new Configuration());
    }

    /** The test images [start, start + count) with their labels. */
    public static Slice testImages(int start, int count) throws IOException {
        Configuration conf = new Configuration();
        return MnistFiles.readSlice(MnistFiles.locate(mnist().toString(), Split.TEST, conf), start, count, conf);
    }

    public static Path writeCsv(Path dir, String name, String text) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    /** A 28x28 CSV with every value {@code value}, for files that are good except for one thing. */
    public static String uniformCsv(String value) {
        String line = String.join(",", java.util.Collections.nCopies(DigitCsv.COLUMNS, value));
        return (line + "\n").repeat(DigitCsv.ROWS);
    }

    /** A local[1] session on loopback, no UI, for reading what a command wrote; the caller stops it. */
    public static SparkSession localSpark(String appName) {
        return SparkSession.builder()
                .master("local[1]")
                .appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder; the OS cleans it eventually
        }
    }
}
