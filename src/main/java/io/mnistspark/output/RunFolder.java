package io.mnistspark.output;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output folder that appears complete or not at all. Everything is written into a hidden sibling folder; only
 * {@link #commit()} writes {@code _SUCCESS} and moves it into place. An existing folder is refused up front unless
 * overwriting was asked for, and even then it is only replaced once the new run is complete.
 */
public final class RunFolder {

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final FileSystem fs;
    private final Path target;
    private final Path staging;
    private final boolean overwrite;

    private RunFolder(FileSystem fs, Path target, Path staging, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.staging = staging;
        this.overwrite = overwrite;
    }

    /** Checks that {@code dir} may be written and creates the staging folder beside it. */
    public static RunFolder begin(String dir, boolean overwrite, Configuration conf) {
        try {
            Path target = new Path(dir);
            FileSystem fs = target.getFileSystem(conf);
            target = fs.makeQualified(target);
            if (fs.exists(target) && !overwrite) {
                throw new OutputExistsException("Output folder " + target + " already exists; it was left untouched "
                        + "(choose another --output, or pass --overwrite to replace it once the new run succeeds)");
            }
            Path staging =
                    new Path(target.getParent(), "." + target.getName() + ".inprogress-" + STAMP.format(Instant.now()));
            if (!fs.mkdirs(staging)) {
                throw new IOException("cannot create " + staging);
            }
            return new RunFolder(fs, target, staging, overwrite);
        } catch (IOException e) {
            throw new OutputWriteException("Cannot prepare output folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes the staging folders that earlier attempts at this output left behind when they were killed (a staging
     * folder holds nothing a later attempt needs: the training state lives in the checkpoints).
     */
    public void removeStaleStagingFolders(Consumer<String> console) {
        String prefix = "." + target.getName() + ".inprogress-";
        try {
            for (FileStatus status : fs.listStatus(target.getParent())) {
                Path path = status.getPath();
                if (path.getName().startsWith(prefix) && !path.getName().equals(staging.getName())) {
                    fs.delete(path, true);
                    console.accept("Removed " + path + ", left by an earlier attempt");
                }
            }
        } catch (IOException e) {
            console.accept(
                    "WARNING: cannot list " + target.getParent() + " for stale staging folders: " + e.getMessage());
        }
    }

    /** Where a file or table of the run is written before the commit. */
    public String path(String name) {
        return new Path(staging, name).toString();
    }

    public String target() {
        return target.toString();
    }

    public Configuration configuration() {
        return fs.getConf();
    }

    public void writeText(String name, String text) {
        try (OutputStream out = fs.create(new Path(staging, name), true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new OutputWriteException("Cannot write " + new Path(staging, name) + ": " + e.getMessage(), e);
        }
    }

    public OutputStream create(String name) throws IOException {
        return fs.create(new Path(staging, name), true);
    }

    /** Marks the run complete and moves it into place, replacing an older run only now. */
    public void commit() {
        try {
            fs.create(new Path(staging, Tables.SUCCESS), true).close();
            Path replaced = null;
            if (fs.exists(target)) {
                if (!overwrite) {
                    throw new OutputExistsException("Output folder " + target + " appeared while the job ran; the new "
                            + "run is kept in " + staging);
                }
                replaced = new Path(
                        target.getParent(), "." + target.getName() + ".replaced-" + STAMP.format(Instant.now()));
                rename(target, replaced);
            }
            rename(staging, target);
            if (replaced != null) {
                fs.delete(replaced, true);
            }
        } catch (IOException e) {
            throw new OutputWriteException("Cannot move " + staging + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Removes the staging folder of a failed run; the target, old or absent, stays as it was. */
    public void abort() {
        try {
            fs.delete(staging, true);
        } catch (IOException e) {
            // Nothing more to do: the staging folder is hidden and never has _SUCCESS.
        }
    }

    private void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("rename " + from + " -> " + to + " failed");
        }
    }
}
