package io.mnistspark.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.model.ReferenceCnn;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelStore}: a saved model loads back as the same network, and one on mnist-spark's kernels is refused. */
class ModelStoreTest {

    @TempDir
    Path tmp;

    private final Configuration conf = new Configuration();

    @Test
    void save_thenLoadFromTheRunFolder_givesTheSameParameters() {
        MultiLayerNetwork network = referenceCnn();
        RunFolder folder = RunFolder.begin(tmp.resolve("run").toString(), false, conf);

        ModelStore.save(network, folder);
        folder.commit();

        MultiLayerNetwork loaded = ModelStore.load(tmp.resolve("run").toString(), conf);
        assertEquals(network.params(), loaded.params());
        assertEquals(network.getLayerWiseConfigurations(), loaded.getLayerWiseConfigurations());
    }

    @Test
    void save_ofANetworkOnOneDnnKernels_throwsNamingTheLayers_andWritesNoModel() {
        MultiLayerNetwork onKernels = OneDnnKernels.copyForTiming(referenceCnn());
        RunFolder folder = RunFolder.begin(tmp.resolve("run").toString(), false, conf);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelStore.save(onKernels, folder));

        assertTrue(
                e.getMessage().contains("layers [0, 1, 2, 3, 4, 5, 6] run mnist-spark's oneDNN kernels"),
                e.getMessage());
        assertFalse(Files.exists(Path.of(folder.path(RunLayout.MODEL_ZIP))), "no model file, not even an empty one");
    }

    private static MultiLayerNetwork referenceCnn() {
        MultiLayerNetwork network = new MultiLayerNetwork(ReferenceCnn.configuration(1e-3, 7));
        network.init();
        return network;
    }
}
