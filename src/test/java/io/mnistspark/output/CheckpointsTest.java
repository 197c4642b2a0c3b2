package io.mnistspark.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.model.ReferenceCnn;
import io.mnistspark.training.EpochRecord;
import io.mnistspark.training.RoundRecord;
import io.mnistspark.training.TrainingState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointsTest {

    private static final Map<String, String> FINGERPRINT = Map.of("train.seed", "42");
    private static MultiLayerNetwork network;

    @TempDir
    Path dir;

    @BeforeAll
    static void network() {
        network = new MultiLayerNetwork(ReferenceCnn.configuration(0.002, 0.85, 42));
        network.init();
        network.getLayerWiseConfigurations().setIterationCount(1234);
        network.getLayerWiseConfigurations().setEpochCount(3);
    }

    @Test
    void aSavedState_readsBackWithItsNetworkMomentumRecordsAndCounts() {
        Checkpoints checkpoints = checkpoints(new ArrayList<>());
        TrainingState state = state(3, 15, true);

        checkpoints.save(state, FINGERPRINT, List.of(Map.of("started", "then")));
        Checkpoints.Saved saved = checkpoints.newest().orElseThrow();

        assertEquals(3, saved.state().epoch());
        assertEquals(15, saved.state().round());
        assertTrue(saved.state().epochComplete());
        assertArrayEquals(
                network.params().data().asFloat(),
                saved.state().network().params().data().asFloat(),
                0f);
        assertEquals(1234, saved.state().network().getLayerWiseConfigurations().getIterationCount());
        assertEquals(3, saved.state().network().getLayerWiseConfigurations().getEpochCount());
        assertArrayEquals(new float[] {1, 2, 3}, saved.state().outerVelocity().toFloatVector(), 0f);
        assertEquals(state.history(), saved.state().history());
        assertEquals(state.rounds(), saved.state().rounds());
        assertEquals(FINGERPRINT, saved.fingerprint());
        assertEquals(List.of(Map.of("started", "then")), saved.attempts());
    }

    @Test
    void onlyTheNewestTwoAreKept_andNoTemporaryFolderIsLeft() throws IOException {
        Checkpoints checkpoints = checkpoints(new ArrayList<>());

        for (int epoch = 1; epoch <= 4; epoch++) {
            checkpoints.save(state(epoch, 15, true), FINGERPRINT, List.of());
        }

        try (Stream<Path> entries = Files.list(dir.resolve("cp"))) {
            assertEquals(
                    List.of("epoch-0003-round-0015", "epoch-0004-round-0015"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(4, checkpoints.newest().orElseThrow().state().epoch());
    }

    @Test
    void aTruncatedNewestCheckpoint_isSkippedWithAWarningNamingIt() throws IOException {
        List<String> warnings = new ArrayList<>();
        Checkpoints checkpoints = checkpoints(warnings);
        checkpoints.save(state(1, 15, true), FINGERPRINT, List.of());
        checkpoints.save(state(2, 7, false), FINGERPRINT, List.of());
        Path damaged = dir.resolve("cp/epoch-0002-round-0007/network.zip");
        Files.write(damaged, java.util.Arrays.copyOf(Files.readAllBytes(damaged), 100));

        Checkpoints.Saved saved = checkpoints.newest().orElseThrow();

        assertEquals(1, saved.state().epoch());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("epoch-0002-round-0007 is damaged"), warnings.get(0));
        assertTrue(warnings.get(0).contains("network.zip"), warnings.get(0));
    }

    @Test
    void aCheckpointWithoutItsManifest_isNotComplete() throws IOException {
        List<String> warnings = new ArrayList<>();
        Checkpoints checkpoints = checkpoints(warnings);
        checkpoints.save(state(1, 15, true), FINGERPRINT, List.of());
        Files.delete(dir.resolve("cp/epoch-0001-round-0015/MANIFEST"));

        assertTrue(checkpoints.newest().isEmpty());
        assertTrue(warnings.get(0).contains("no MANIFEST"), warnings.toString());
    }

    @Test
    void save_ofANetworkOnOneDnnKernels_throws_andWritesNothing() {
        Checkpoints checkpoints = checkpoints(new ArrayList<>());
        TrainingState onKernels = state(1, 15, true, OneDnnKernels.copyForTiming(network));

        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> checkpoints.save(onKernels, FINGERPRINT, List.of()));

        assertTrue(e.getMessage().contains("run mnist-spark's oneDNN kernels"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("cp")), "no checkpoint folder, not even a temporary one");
    }

    private Checkpoints checkpoints(List<String> warnings) {
        return Checkpoints.of(
                dir.resolve("run").toString(), dir.resolve("cp").toString(), new Configuration(), warnings::add);
    }

    private static TrainingState state(int epoch, int round, boolean complete) {
        return state(epoch, round, complete, network);
    }

    private static TrainingState state(int epoch, int round, boolean complete, MultiLayerNetwork network) {
        List<EpochRecord> history = List.of(new EpochRecord(1, 0.5, 0.9, "validation", 10.0, 6000.0));
        List<RoundRecord> rounds = List.of(new RoundRecord(1, 1, 2, 20, 4000, 1.0, 0.8, 0.2, 0.7));
        return new TrainingState(epoch, round, complete, network, Nd4j.createFromArray(1f, 2f, 3f), history, rounds);
    }
}
