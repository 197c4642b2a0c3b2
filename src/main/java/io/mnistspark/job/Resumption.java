package io.mnistspark.job;

import io.mnistspark.config.ConfigException;
import io.mnistspark.config.JobConfig;
import io.mnistspark.data.MnistFiles;
import io.mnistspark.data.Sha256;
import io.mnistspark.output.Checkpoints;
import io.mnistspark.output.OutputExistsException;
import io.mnistspark.output.RunJson;
import io.mnistspark.training.RoundPlan;
import io.mnistspark.training.TrainingState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;

/**
 * Whether a {@code train} run starts afresh or goes on from a checkpoint, and the facts that must match for it to go
 * on: a checkpoint is resumed only by a run that would have computed the same thing (same data, seed, schedule,
 * worker count and network), so that the resumed run ends exactly where an uninterrupted one would have.
 */
final class Resumption {

    private final Map<String, String> fingerprint;
    private final Optional<TrainingState> state;
    private final List<Map<String, Object>> attempts;

    /** @param resumable the checkpoint to go on from (only when resuming), checked against {@code fingerprint} */
    Resumption(Map<String, String> fingerprint, Optional<Checkpoints.Saved> resumable, Instant started) {
        resumable.ifPresent(saved -> refuseDifferences(saved, fingerprint));
        this.fingerprint = fingerprint;
        this.state = resumable.map(Checkpoints.Saved::state);
        this.attempts =
                new ArrayList<>(resumable.map(Checkpoints.Saved::attempts).orElse(List.of()));
        Map<String, Object> attempt = new LinkedHashMap<>();
        attempt.put(RunJson.STARTED, started.toString());
        attempt.put(
                RunJson.RESUMED_FROM,
                resumable
                        .map(saved -> Map.of(
                                RunJson.EPOCH,
                                saved.state().epoch(),
                                RunJson.ROUND,
                                saved.state().round(),
                                RunJson.CHECKPOINT,
                                saved.location()))
                        .orElse(null));
        attempts.add(attempt);
    }

    /**
     * Before anything is written: the checkpoint to resume from when {@code --resume} is given, and otherwise none,
     * after making sure that no resumable run is silently thrown away (it is refused, or with {@code --overwrite}
     * removed, saying so).
     */
    static Optional<Checkpoints.Saved> checkBeforeStart(
            JobConfig config, Checkpoints checkpoints, Consumer<String> console) {
        Optional<Checkpoints.Saved> newest = checkpoints.newest();
        if (config.resume()) {
            if (newest.isEmpty()) {
                throw new ConfigException("Nothing to resume: no complete checkpoint in " + checkpoints.location()
                        + " (start the run without --resume)");
            }
            console.accept("Resuming from " + newest.get().location());
            return newest;
        }
        if (newest.isPresent()) {
            TrainingState state = newest.get().state();
            if (!config.overwrite()) {
                throw new OutputExistsException(String.format(
                        "A resumable run of %s exists in %s: use --resume to "
                                + "go on from it, or --overwrite to start again",
                        position(state, config.epochs()), checkpoints.location()));
            }
            console.accept("Starting again: removing the checkpoints of " + position(state, config.epochs()) + " in "
                    + checkpoints.location() + " (--overwrite)");
            checkpoints.deleteAll();
        }
        return Optional.empty();
    }

    /** Everything that changes what training computes, as text. */
    static Map<String, String> fingerprint(
            JobConfig config,
            MnistFiles.SplitSummary train,
            MnistFiles.SplitSummary test,
            int trainCount,
            int testCount,
            RoundPlan plan,
            MultiLayerConfiguration network) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("train images sha256", train.imagesSha256());
        facts.put("train labels sha256", train.labelsSha256());
        facts.put("test images sha256", test.imagesSha256());
        facts.put("test labels sha256", test.labelsSha256());
        facts.put("training images", String.valueOf(trainCount));
        facts.put("data.validation-images", String.valueOf(config.validationImages()));
        facts.put("test images", String.valueOf(testCount));
        facts.put("train.seed", String.valueOf(config.seed()));
        facts.put("train.epochs", String.valueOf(config.epochs()));
        facts.put("train.learning-rate", String.valueOf(config.learningRate()));
        facts.put("train.learning-rate-decay", String.valueOf(config.learningRateDecay()));
        facts.put("train.outer-optimizer", config.outerOptimizer().key());
        facts.put("train.outer-learning-rate", String.valueOf(config.outerLearningRate()));
        facts.put("train.outer-momentum", String.valueOf(config.outerMomentum()));
        facts.put("workers", String.valueOf(plan.workers()));
        facts.put("batch size per worker", String.valueOf(plan.batchSizePerWorker()));
        facts.put("averaging frequency", String.valueOf(plan.averagingFrequency()));
        facts.put("network", Sha256.hex(network.toJson()));
        return facts;
    }

    Map<String, String> fingerprint() {
        return fingerprint;
    }

    Optional<TrainingState> state() {
        return state;
    }

    /** This run's attempts so far, the current one last: what every checkpoint records. */
    List<Map<String, Object>> attempts() {
        return List.copyOf(attempts);
    }

    /** The attempts, the current one ended now: what run.json records. */
    List<Map<String, Object>> attemptsEndingNow() {
        List<Map<String, Object>> all = new ArrayList<>(attempts);
        Map<String, Object> current = new LinkedHashMap<>(all.remove(all.size() - 1));
        current.put(RunJson.ENDED, Instant.now().toString());
        all.add(current);
        return all;
    }

    /** How the progress line describes the start. */
    String describe() {
        return state.map(s -> String.format(", resuming after epoch %d round %d", s.epoch(), s.round()))
                .orElse("");
    }

    private static void refuseDifferences(Checkpoints.Saved saved, Map<String, String> fingerprint) {
        List<String> differences = new ArrayList<>();
        for (String key : new TreeSet<>(union(saved.fingerprint(), fingerprint))) {
            String before = saved.fingerprint().get(key);
            String now = fingerprint.get(key);
            if (before == null ? now != null : !before.equals(now)) {
                differences.add(key + " was " + before + ", is now " + now);
            }
        }
        if (!differences.isEmpty()) {
            throw new ConfigException("Cannot resume from " + saved.location() + ": this run would compute something "
                    + "else (" + String.join("; ", differences) + "). Resume with the settings and data of the "
                    + "interrupted run, or start again with --overwrite");
        }
    }

    private static Set<String> union(Map<String, String> a, Map<String, String> b) {
        Set<String> keys = new HashSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private static String position(TrainingState state, int epochs) {
        return state.epochComplete()
                ? String.format("epoch %d/%d", state.epoch(), epochs)
                : String.format("epoch %d/%d (round %d)", state.epoch(), epochs, state.round());
    }
}
