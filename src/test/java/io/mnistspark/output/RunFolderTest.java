package io.mnistspark.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunFolder} on Hadoop's local file system: a run folder appears complete at commit, or not at all. */
class RunFolderTest {

    @TempDir
    Path tmp;

    private final Configuration conf = new Configuration();

    @Test
    void begin_onExistingFolderWithoutOverwrite_throwsAndLeavesItUntouched() throws IOException {
        Path out = oldRun();

        OutputExistsException e =
                assertThrows(OutputExistsException.class, () -> RunFolder.begin(out.toString(), false, conf));

        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals("old", Files.readString(out.resolve("old.txt")));
        assertEquals(List.of(), hiddenSiblings());
    }

    @Test
    void commit_movesTheFilesIntoPlaceWithSuccess() throws IOException {
        Path out = tmp.resolve("out");
        RunFolder folder = RunFolder.begin(out.toString(), false, conf);
        folder.writeText("run.json", "{}");

        assertFalse(Files.exists(out), "nothing at the target before the commit");
        folder.commit();

        assertEquals("{}", Files.readString(out.resolve("run.json")));
        assertTrue(Files.exists(out.resolve(Tables.SUCCESS)));
        assertEquals(List.of(), hiddenSiblings());
    }

    @Test
    void overwrite_replacesTheOldFolderOnlyAtCommit() throws IOException {
        Path out = oldRun();
        RunFolder folder = RunFolder.begin(out.toString(), true, conf);
        folder.writeText("new.txt", "new");

        assertEquals("old", Files.readString(out.resolve("old.txt")));
        assertFalse(Files.exists(out.resolve("new.txt")));
        folder.commit();

        assertFalse(Files.exists(out.resolve("old.txt")));
        assertEquals("new", Files.readString(out.resolve("new.txt")));
        assertTrue(Files.exists(out.resolve(Tables.SUCCESS)));
        assertEquals(List.of(), hiddenSiblings(), "neither staging nor the replaced run is left");
    }

    @Test
    void commit_whenTheTargetAppearedMeanwhile_throwsAndKeepsBoth() throws IOException {
        Path out = tmp.resolve("out");
        RunFolder folder = RunFolder.begin(out.toString(), false, conf);
        folder.writeText("new.txt", "new");
        Files.createDirectories(out);

        assertThrows(OutputExistsException.class, folder::commit);

        assertEquals(List.of(), listing(out));
        assertEquals(1, hiddenSiblings().size(), "the new run stays in its staging folder");
    }

    @Test
    void abort_removesStaging_andLeavesTheOldFolderAsItWas() throws IOException {
        Path out = oldRun();
        RunFolder folder = RunFolder.begin(out.toString(), true, conf);
        folder.writeText("new.txt", "new");

        folder.abort();

        assertEquals(List.of(), hiddenSiblings());
        assertEquals(List.of("old.txt"), listing(out));
        assertEquals("old", Files.readString(out.resolve("old.txt")));
    }

    @Test
    void abort_withoutOldFolder_leavesNoTarget() {
        Path out = tmp.resolve("out");
        RunFolder folder = RunFolder.begin(out.toString(), false, conf);
        folder.writeText("new.txt", "new");

        folder.abort();

        assertFalse(Files.exists(out));
        assertEquals(List.of(), hiddenSiblings());
    }

    @Test
    void removeStaleStagingFolders_removesEarlierAttemptsOnly() throws IOException {
        Path stale = Files.createDirectories(tmp.resolve(".out.inprogress-20200101-000000-000"));
        Files.writeString(stale.resolve("run.json"), "{}");
        Path otherOutput = Files.createDirectories(tmp.resolve(".out2.inprogress-20200101-000000-000"));
        RunFolder folder = RunFolder.begin(tmp.resolve("out").toString(), false, conf);
        List<String> console = new ArrayList<>();

        folder.removeStaleStagingFolders(console::add);

        assertFalse(Files.exists(stale));
        assertTrue(Files.isDirectory(otherOutput), "another output's staging folder is not ours to remove");
        assertEquals(1, console.size(), console.toString());
        assertTrue(console.get(0).endsWith(stale.getFileName() + ", left by an earlier attempt"), console.get(0));
        // Our own staging folder is kept and still commits
        folder.writeText("run.json", "{}");
        folder.commit();
        assertTrue(Files.exists(tmp.resolve("out").resolve(Tables.SUCCESS)));
    }

    private Path oldRun() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("old.txt"), "old");
        return out;
    }

    /** The staging and replaced folders beside {@code out}. */
    private List<String> hiddenSiblings() {
        return listing(tmp).stream().filter(name -> name.startsWith(".out.")).toList();
    }

    private static List<String> listing(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.endsWith(".crc"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
