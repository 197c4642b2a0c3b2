package io.mnistspark.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLayoutTest {

    private final Configuration conf = new Configuration();

    @TempDir
    Path temp;

    @Test
    void aRunsModelLiesAtModelSlashModelZip() {
        assertEquals(
                "/runs/a/model/model.zip",
                RunLayout.modelOf(new org.apache.hadoop.fs.Path("/runs/a")).toString());
    }

    @Test
    void theRunOfItsOwnModelZipIsFound() throws IOException {
        Path run = runWithPredictions("run");
        Path model = Files.createDirectories(run.resolve(Tables.MODEL)).resolve(Tables.MODEL_FILE);
        Files.writeString(model, "zip");
        assertEquals(
                Optional.of(uri(run)), RunLayout.runOf(model.toString(), conf).map(this::uriOf));
    }

    @Test
    void aRunFolderIsItsOwnRun() throws IOException {
        Path run = runWithPredictions("run");
        assertEquals(
                Optional.of(uri(run)), RunLayout.runOf(run.toString(), conf).map(this::uriOf));
    }

    @Test
    void aModelKeptOutsideARunHasNoRun() throws IOException {
        Path folder = runWithPredictions("run");
        Path loose = Files.createDirectories(folder.resolve("elsewhere")).resolve("digits.zip");
        Files.writeString(loose, "zip");
        assertTrue(RunLayout.runOf(loose.toString(), conf).isEmpty());
    }

    @Test
    void aFolderWithoutPredictionsIsNoRun() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("empty"));
        assertTrue(RunLayout.runOf(folder.toString(), conf).isEmpty());
    }

    private Path runWithPredictions(String name) throws IOException {
        Path run = temp.resolve(name);
        Files.createDirectories(run.resolve(Tables.PREDICTIONS));
        return run;
    }

    private String uri(Path path) {
        return path.toUri().getPath().replaceAll("/$", "");
    }

    private String uriOf(String hadoopPath) {
        return new org.apache.hadoop.fs.Path(hadoopPath).toUri().getPath().replaceAll("/$", "");
    }
}
