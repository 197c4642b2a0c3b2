package io.mnistspark.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnistspark.cli.ExitCodes;
import io.mnistspark.cli.MnistCli;
import io.mnistspark.output.Tables;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executes the analysts' notebooks with {@code notebooks/run.sh} against a real run's output and checks what they
 * show: every notebook runs without an error, the pictures are there, and the accuracy the results notebook prints is
 * the one in {@code metrics/}.
 *
 * <p>The run is the folder in the system property {@code mnist.notebooks.run}. Without it the test trains a small run
 * itself (2000 training and 500 test images, one epoch, {@code local[2]}), reading MNIST from {@code mnist.data.dir}
 * (default {@code data/mnist}). Needs bash and Python 3.11 or later, and pip access to the packages of
 * {@code notebooks/requirements.txt}; the virtualenv is reused across runs (see {@code notebooks/run.sh --help}).
 */
class NotebooksIT {

    static final String RUN_PROPERTY = "mnist.notebooks.run";
    private static final long TIMEOUT_MINUTES = 15;
    private static final Pattern ACCURACY_LINE = Pattern.compile("(?m)^ACCURACY=(\\S*)$");
    private static final Pattern FIGURE_NAME = Pattern.compile("save_figure\\([^,]+,\\s*\"([^\"]+)\"\\)");
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static Path project;
    private static Path run;
    private static Path executed;

    @BeforeAll
    static void executeNotebooks() throws Exception {
        project = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        assertTrue(
                Files.isRegularFile(project.resolve("notebooks/run.sh")),
                () -> "notebooks/run.sh not found under " + project + " (run the test from the project folder)");
        run = runFolder();
        executed = work.resolve("executed");
        Path log = work.resolve("run.sh.log");

        // Run notebooks/run.sh RUN OUT, its output into a file so that a full pipe can never block it
        Process process = new ProcessBuilder("bash", "notebooks/run.sh", run.toString(), executed.toString())
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            fail("notebooks/run.sh did not finish within " + TIMEOUT_MINUTES + " minutes:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertEquals(0, process.exitValue(), () -> "notebooks/run.sh " + run + " failed:\n" + output);
    }

    /** The run named by {@value #RUN_PROPERTY}, or a small one trained here. */
    private static Path runFolder() {
        String given = System.getProperty(RUN_PROPERTY);
        if (given != null && !given.isBlank()) {
            Path folder = Path.of(given).toAbsolutePath();
            assertTrue(
                    Files.isRegularFile(folder.resolve(Tables.SUCCESS)),
                    () -> RUN_PROPERTY + "=" + given + " is not a finished run (no " + Tables.SUCCESS + ")");
            return folder;
        }
        Path folder = work.resolve("run");
        String dataDir = System.getProperty("mnist.data.dir", "data/mnist");
        int exitCode = MnistCli.commandLine()
                .execute(
                        "train",
                        "--data-dir",
                        dataDir,
                        "--train-limit",
                        "2000",
                        "--test-limit",
                        "500",
                        "--epochs",
                        "1",
                        "--output",
                        folder.toString(),
                        "--master",
                        "local[2]");
        assertEquals(ExitCodes.OK, exitCode, "train for the notebooks' run failed");
        return folder;
    }

    @Test
    void results_showsHeatMapAndMixUpChart() throws IOException {
        JsonNode notebook = executedNotebook("results.ipynb");
        Set<String> figures = figuresShown(notebook);
        assertTrue(
                figures.containsAll(Set.of("confusion_heatmap", "top_mixups")),
                () -> "results.ipynb shows the figures " + figures);
    }

    @Test
    void misclassified_showsGallery() throws IOException {
        Set<String> figures = figuresShown(executedNotebook("misclassified.ipynb"));
        assertTrue(figures.contains("gallery"), () -> "misclassified.ipynb shows the figures " + figures);
    }

    @Test
    void training_showsLearningCurves() throws IOException {
        Set<String> figures = figuresShown(executedNotebook("training.ipynb"));
        assertTrue(figures.contains("training_curves"), () -> "training.ipynb shows the figures " + figures);
    }

    @Test
    void executedNotebooks_haveNoErrorsAndEveryCellRan() throws IOException {
        for (String name : notebookNames()) {
            for (JsonNode cell : codeCells(executedNotebook(name))) {
                assertTrue(cell.path("execution_count").isInt(), () -> name + ": a cell did not run:\n" + source(cell));
                for (JsonNode output : cell.path("outputs")) {
                    assertFalse(
                            "error".equals(output.path("output_type").asText()),
                            () -> name + ": a cell raised "
                                    + output.path("ename").asText() + ": "
                                    + output.path("evalue").asText());
                }
            }
        }
    }

    @Test
    void results_printsAccuracyOfMetrics() throws IOException {
        List<String> printed = new ArrayList<>();
        for (JsonNode cell : codeCells(executedNotebook("results.ipynb"))) {
            for (JsonNode output : cell.path("outputs")) {
                if ("stream".equals(output.path("output_type").asText())) {
                    Matcher line = ACCURACY_LINE.matcher(text(output.path("text")));
                    while (line.find()) {
                        printed.add(line.group(1));
                    }
                }
            }
        }
        // Python's :.4f rounds the double's exact value half-even, as BigDecimal does here
        String expected = new BigDecimal(accuracyInMetrics())
                .setScale(4, RoundingMode.HALF_EVEN)
                .toPlainString();
        assertEquals(List.of(expected), printed, "ACCURACY= lines printed by results.ipynb");
    }

    @Test
    void sourceNotebooks_areCommittedWithoutOutputs() throws IOException {
        for (String name : notebookNames()) {
            JsonNode notebook =
                    JSON.readTree(project.resolve("notebooks").resolve(name).toFile());
            for (JsonNode cell : codeCells(notebook)) {
                assertTrue(
                        cell.path("outputs").isEmpty()
                                && cell.path("execution_count").isNull(),
                        () -> "notebooks/" + name + " holds outputs; clear them before committing:\n" + source(cell));
            }
        }
    }

    private static List<String> notebookNames() {
        return List.of("results.ipynb", "misclassified.ipynb", "training.ipynb");
    }

    private static JsonNode executedNotebook(String name) throws IOException {
        Path file = executed.resolve(name);
        assertTrue(Files.isRegularFile(file), () -> "notebooks/run.sh wrote no " + file);
        return JSON.readTree(file.toFile());
    }

    private static List<JsonNode> codeCells(JsonNode notebook) {
        List<JsonNode> cells = new ArrayList<>();
        notebook.path("cells").forEach(cell -> {
            if ("code".equals(cell.path("cell_type").asText())) {
                cells.add(cell);
            }
        });
        return cells;
    }

    /** The figure names ({@code mnist_run.save_figure(fig, "name")}) of the cells that show a PNG image. */
    private static Set<String> figuresShown(JsonNode notebook) {
        Set<String> figures = new TreeSet<>();
        for (JsonNode cell : codeCells(notebook)) {
            boolean showsPng = false;
            for (JsonNode output : cell.path("outputs")) {
                JsonNode png = output.path("data").path("image/png");
                showsPng |= !png.isMissingNode() && isPng(text(png));
            }
            Matcher name = FIGURE_NAME.matcher(source(cell));
            while (showsPng && name.find()) {
                figures.add(name.group(1));
            }
        }
        return figures;
    }

    private static boolean isPng(String base64) {
        byte[] bytes = Base64.getMimeDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII));
        if (bytes.length < 1000) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (bytes[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    private static String source(JsonNode cell) {
        return text(cell.path("source"));
    }

    /** A notebook text field: one string, or a list of lines to join. */
    private static String text(JsonNode field) {
        if (!field.isArray()) {
            return field.asText();
        }
        StringBuilder joined = new StringBuilder();
        field.forEach(line -> joined.append(line.asText()));
        return joined.toString();
    }

    /** metrics/ accuracy read back with Spark; a session this test starts is stopped again. */
    private static double accuracyInMetrics() {
        boolean ownSession = SparkSession.getActiveSession().isEmpty()
                && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder()
                .master("local[2]")
                .appName(NotebooksIT.class.getSimpleName())
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        try {
            Row metrics =
                    spark.read().parquet(run.resolve(Tables.METRICS).toString()).first();
            return metrics.getDouble(metrics.fieldIndex(Tables.ACCURACY));
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }
}
