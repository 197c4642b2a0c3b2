package io.mnistspark.output;

import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where things live in a run folder, both ways: the model of a run, and the run a model belongs to. The names of the
 * folders and files themselves are {@link Tables}'.
 */
public final class RunLayout {

    /** The model's place relative to its run folder. */
    public static final String MODEL_ZIP = Tables.MODEL + "/" + Tables.MODEL_FILE;

    private RunLayout() {}

    /** The model zip of the run folder {@code run}. */
    public static Path modelOf(Path run) {
        return new Path(run, MODEL_ZIP);
    }

    /** A table's (or file's) place in the run folder {@code run}. */
    public static Path entryOf(String run, String name) {
        return new Path(run, name);
    }

    /**
     * The run folder that {@code modelOrRun} names or whose model it is (RUN, or RUN/model/model.zip), when that
     * folder holds test-set predictions; empty for a model zip kept elsewhere.
     */
    public static Optional<String> runOf(String modelOrRun, Configuration conf) {
        Path given = new Path(modelOrRun);
        try {
            FileSystem fs = given.getFileSystem(conf);
            Path candidate = fs.isDirectory(given) ? given : runOfModelFile(given);
            return candidate != null && fs.isDirectory(new Path(candidate, Tables.PREDICTIONS))
                    ? Optional.of(candidate.toString())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** RUN for RUN/model/model.zip; null when the file is not at a run's model place. */
    private static Path runOfModelFile(Path model) {
        Path modelFolder = model.getParent();
        boolean atModelPlace = model.getName().equals(Tables.MODEL_FILE)
                && modelFolder != null
                && modelFolder.getName().equals(Tables.MODEL);
        return atModelPlace ? modelFolder.getParent() : null;
    }
}
