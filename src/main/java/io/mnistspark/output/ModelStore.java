package io.mnistspark.output;

import io.mnistspark.backend.OneDnnKernels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** Saves and loads the model as a DL4J {@code ModelSerializer} zip (updater state included) on any Hadoop path. */
public final class ModelStore {

    private ModelStore() {}

    /**
     * Writes the network with its updater state as the run's model zip.
     *
     * @throws IllegalStateException when the network runs mnist-spark's oneDNN kernels; nothing is written then
     */
    public static void save(MultiLayerNetwork network, RunFolder folder) {
        OneDnnKernels.requireNotInstalled(network);
        String file = RunLayout.MODEL_ZIP;
        try (OutputStream out = folder.create(file)) {
            ModelSerializer.writeModel(network, out, true);
        } catch (IOException e) {
            throw new OutputWriteException("Cannot write model " + folder.path(file) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a model from a model zip, or from a run's output folder (its {@code model/model.zip}).
     *
     * @throws ModelNotFoundException when neither is there
     */
    public static MultiLayerNetwork load(String modelOrRun, Configuration conf) {
        Path given = new Path(modelOrRun);
        try {
            FileSystem fs = given.getFileSystem(conf);
            Path file = fs.isDirectory(given) ? RunLayout.modelOf(given) : given;
            if (!fs.isFile(file)) {
                throw new ModelNotFoundException(
                        "Model not found: " + file + " (give a model zip or the output " + "folder of a 'train' run)");
            }
            try (InputStream in = fs.open(file)) {
                return ModelSerializer.restoreMultiLayerNetwork(in, true);
            } catch (IOException | RuntimeException e) {
                throw new ModelNotFoundException(
                        "Cannot load model " + file + ": not a DL4J model zip (" + e.getMessage() + ")");
            }
        } catch (IOException e) {
            throw new ModelNotFoundException("Cannot read " + modelOrRun + ": " + e.getMessage());
        }
    }

    /** The model is missing or unreadable; the message names the path. */
    public static class ModelNotFoundException extends RuntimeException {
        public ModelNotFoundException(String message) {
            super(message);
        }
    }
}
