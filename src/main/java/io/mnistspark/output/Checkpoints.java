package io.mnistspark.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnistspark.backend.OneDnnKernels;
import io.mnistspark.data.Sha256;
import io.mnistspark.training.EpochRecord;
import io.mnistspark.training.RoundRecord;
import io.mnistspark.training.TrainingState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run's training checkpoints in one folder on any Hadoop file system: {@code epoch-EEEE-round-RRRR/} each, with the
 * network ({@code network.zip}: parameters, Adam's state, and the iteration and epoch counts), the outer momentum,
 * {@code state.json} (position, the run's fingerprint, the records and attempts so far) and a {@code MANIFEST} of
 * every file's size and SHA-256, written last.
 *
 * <p>A checkpoint is written into a hidden temporary folder and renamed into place (atomic on HDFS and local disks);
 * on stores where rename is a copy, the manifest written last is what marks it complete: a checkpoint whose manifest
 * is missing or disagrees with its files is passed over, with a warning, for the one before. The last two are kept.
 */
public final class Checkpoints {

    private static final String NETWORK = "network.zip";
    private static final String VELOCITY = "outer-velocity.bin";
    private static final String STATE = "state.json";
    private static final String MANIFEST = "MANIFEST";
    private static final Pattern NAME = Pattern.compile("epoch-(\\d{4,})-round-(\\d{4,})");
    private static final int KEEP = 2;

    /** What a checkpoint holds besides the training state: the run's fingerprint and its attempts. */
    public record Saved(
            TrainingState state,
            Map<String, String> fingerprint,
            List<Map<String, Object>> attempts,
            String location) {}

    /** The JSON part of a checkpoint. */
    record StateFile(
            int epoch,
            int round,
            boolean epochComplete,
            Map<String, String> fingerprint,
            List<EpochRecord> history,
            List<RoundRecord> rounds,
            List<Map<String, Object>> attempts) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final FileSystem fs;
    private final Path folder;
    private final Consumer<String> warnings;

    private Checkpoints(FileSystem fs, Path folder, Consumer<String> warnings) {
        this.fs = fs;
        this.folder = folder;
        this.warnings = warnings;
    }

    /** The checkpoints of the run writing {@code outputDir}: in {@code checkpointDir}, or beside the output. */
    public static Checkpoints of(
            String outputDir, String checkpointDir, Configuration conf, Consumer<String> warnings) {
        try {
            Path output = new Path(outputDir);
            FileSystem fs = output.getFileSystem(conf);
            output = fs.makeQualified(output);
            Path folder = checkpointDir.isBlank()
                    ? new Path(output.getParent(), "." + output.getName() + ".checkpoints")
                    : new Path(checkpointDir);
            folder = folder.getFileSystem(conf).makeQualified(folder);
            return new Checkpoints(folder.getFileSystem(conf), folder, warnings);
        } catch (IOException e) {
            throw new OutputWriteException(
                    "Cannot open the checkpoint folder of " + outputDir + ": " + e.getMessage(), e);
        }
    }

    public String location() {
        return folder.toString();
    }

    /**
     * Writes a checkpoint of {@code state} and keeps only the newest two.
     *
     * @throws IllegalStateException when the state's network runs mnist-spark's oneDNN kernels; nothing is written then
     */
    public void save(TrainingState state, Map<String, String> fingerprint, List<Map<String, Object>> attempts) {
        OneDnnKernels.requireNotInstalled(state.network());
        String name = String.format("epoch-%04d-round-%04d", state.epoch(), state.round());
        Path temporary = new Path(folder, ".tmp-" + name + "-" + UUID.randomUUID());
        Path target = new Path(folder, name);
        try {
            fs.mkdirs(temporary);
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(NETWORK, networkBytes(state.network()));
            if (state.outerVelocity() != null) {
                files.put(VELOCITY, arrayBytes(state.outerVelocity()));
            }
            files.put(
                    STATE,
                    JSON.writeValueAsBytes(new StateFile(
                            state.epoch(),
                            state.round(),
                            state.epochComplete(),
                            fingerprint,
                            state.history(),
                            state.rounds(),
                            attempts)));
            StringBuilder manifest = new StringBuilder();
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                write(new Path(temporary, file.getKey()), file.getValue());
                manifest.append(Sha256.hex(file.getValue()))
                        .append(' ')
                        .append(file.getValue().length)
                        .append(' ')
                        .append(file.getKey())
                        .append('\n');
            }
            write(new Path(temporary, MANIFEST), manifest.toString().getBytes(StandardCharsets.UTF_8));
            if (fs.exists(target)) {
                fs.delete(target, true);
            }
            if (!fs.rename(temporary, target)) {
                throw new IOException("rename " + temporary + " -> " + target + " failed");
            }
            deleteAllBut(KEEP);
        } catch (IOException e) {
            throw new OutputWriteException("Cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** The newest complete checkpoint, if any; damaged newer ones are skipped with a warning naming them. */
    public Optional<Saved> newest() {
        for (Path checkpoint : complete()) {
            try {
                return Optional.of(read(checkpoint));
            } catch (IOException | RuntimeException e) {
                warnings.accept("Checkpoint " + checkpoint + " is damaged (" + e.getMessage()
                        + "); falling back to the one before");
            }
        }
        return Optional.empty();
    }

    /** Removes every checkpoint: the run they belong to has finished, or is being replaced. */
    public void deleteAll() {
        try {
            fs.delete(folder, true);
        } catch (IOException e) {
            warnings.accept("Cannot remove the checkpoints in " + folder + ": " + e.getMessage());
        }
    }

    /** Checkpoint folders by name, newest first (temporary ones excluded). */
    private List<Path> complete() {
        try {
            if (!fs.exists(folder)) {
                return List.of();
            }
            List<Path> found = new ArrayList<>();
            for (FileStatus status : fs.listStatus(folder)) {
                if (status.isDirectory()
                        && NAME.matcher(status.getPath().getName()).matches()) {
                    found.add(status.getPath());
                }
            }
            found.sort(Comparator.comparing((Path p) -> position(p.getName())).reversed());
            return found;
        } catch (IOException e) {
            throw new OutputWriteException("Cannot list checkpoints in " + folder + ": " + e.getMessage(), e);
        }
    }

    private static Long position(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException(name);
        }
        return Long.parseLong(m.group(1)) * 1_000_000 + Long.parseLong(m.group(2));
    }

    private Saved read(Path checkpoint) throws IOException {
        Map<String, byte[]> files = verified(checkpoint);
        StateFile state = JSON.readValue(files.get(STATE), StateFile.class);
        MultiLayerNetwork network =
                ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(files.get(NETWORK)), true);
        INDArray velocity = files.containsKey(VELOCITY) ? readArray(files.get(VELOCITY)) : null;
        return new Saved(
                new TrainingState(
                        state.epoch(),
                        state.round(),
                        state.epochComplete(),
                        network,
                        velocity,
                        state.history(),
                        state.rounds()),
                state.fingerprint(),
                state.attempts(),
                checkpoint.toString());
    }

    /** The checkpoint's files, once each matches the size and checksum its manifest gives. */
    private Map<String, byte[]> verified(Path checkpoint) throws IOException {
        Path manifest = new Path(checkpoint, MANIFEST);
        if (!fs.exists(manifest)) {
            throw new IOException("no " + MANIFEST + ": the checkpoint was not finished");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String line : new String(readAll(manifest), StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(" ", 3);
            byte[] bytes = readAll(new Path(checkpoint, fields[2]));
            String checksum = Sha256.hex(bytes);
            if (bytes.length != Long.parseLong(fields[1]) || !checksum.equals(fields[0])) {
                throw new IOException(fields[2] + " has " + bytes.length + " bytes and checksum " + checksum
                        + ", its manifest says " + fields[1] + " bytes and " + fields[0]);
            }
            files.put(fields[2], bytes);
        }
        if (!files.containsKey(NETWORK) || !files.containsKey(STATE)) {
            throw new IOException("its manifest lists no " + NETWORK + " or " + STATE);
        }
        return files;
    }

    private void deleteAllBut(int keep) throws IOException {
        List<Path> checkpoints = complete();
        for (Path old : checkpoints.subList(Math.min(keep, checkpoints.size()), checkpoints.size())) {
            fs.delete(old, true);
        }
    }

    private void write(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(file, true)) {
            out.write(bytes);
        }
    }

    private byte[] readAll(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }

    private static byte[] networkBytes(MultiLayerNetwork network) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, bytes, true);
        return bytes.toByteArray();
    }

    private static byte[] arrayBytes(INDArray array) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(array, out);
        }
        return bytes.toByteArray();
    }

    private static INDArray readArray(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        }
    }
}
