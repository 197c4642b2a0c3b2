package io.mnistspark.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnistspark.training.DistributedTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One application's Spark event log (JSON lines, spark.eventLog.enabled): which executors there were, which stages
 * ran, and where each task attempt ran and how it ended.
 */
final class EventLog {

    /**
     * The stages where workers fit their minibatches: one per averaging round, all of the name the trainer gives them.
     * (The other stages evaluate.)
     */
    static final Predicate<String> TRAINING_STAGE = DistributedTrainer.ROUND_STAGE_NAME::equals;

    /** One task attempt's end. */
    record TaskEnd(
            int stageId, int stageAttempt, long taskId, int index, int attempt, String executorId, String reason) {

        boolean succeeded() {
            return "Success".equals(reason);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<Integer, String> stageNames = new TreeMap<>();
    private final List<TaskEnd> taskEnds = new ArrayList<>();
    private final Map<String, String> executorLogUrls = new LinkedHashMap<>();
    private final Map<String, String> executorsRemoved = new LinkedHashMap<>();
    /** Job ID to its submission time (ms since the epoch) of the training jobs started and not yet ended. */
    private final Map<Integer, Long> runningTrainingJobs = new TreeMap<>();

    private boolean applicationEnded;

    private EventLog(Path file) {
        this.file = file;
    }

    /** Reads the one event log in {@code dir}. */
    static EventLog readOnlyLogIn(Path dir) {
        List<Path> logs = logsIn(dir);
        if (logs.size() != 1) {
            throw new IllegalStateException("expected one event log in " + dir + " but found " + logs);
        }
        return read(logs.get(0));
    }

    static EventLog read(Path file) {
        return parse(file, false);
    }

    /**
     * The events a running application's driver has written so far to the one log in {@code dir}, if it has begun
     * one. Spark flushes the log at every job start and end, so {@link #trainingJobRunningSince} is up to date; the
     * last line may be cut off in the middle of an event and is then left out.
     */
    static Optional<EventLog> readSoFar(Path dir) {
        List<Path> logs = logsIn(dir);
        return logs.size() == 1 ? Optional.of(parse(logs.get(0), true)) : Optional.empty();
    }

    private static List<Path> logsIn(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads every event of {@code file}; {@code beingWritten}: up to the first line that is not a whole event yet. */
    private static EventLog parse(Path file, boolean beingWritten) {
        EventLog log = new EventLog(file);
        List<String> lines;
        try (var all = Files.lines(file)) {
            lines = all.filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            try {
                log.add(JSON.readTree(line));
            } catch (IOException e) {
                if (beingWritten) {
                    break;
                }
                throw new UncheckedIOException("bad event in " + file + ": " + line, e);
            }
        }
        return log;
    }

    private void add(JsonNode event) {
        switch (event.path("Event").asText()) {
            case "SparkListenerStageSubmitted", "SparkListenerStageCompleted" -> {
                JsonNode stage = event.path("Stage Info");
                stageNames.put(
                        stage.path("Stage ID").asInt(), stage.path("Stage Name").asText());
            }
            case "SparkListenerTaskEnd" -> {
                JsonNode info = event.path("Task Info");
                taskEnds.add(new TaskEnd(
                        event.path("Stage ID").asInt(),
                        event.path("Stage Attempt ID").asInt(),
                        info.path("Task ID").asLong(),
                        info.path("Index").asInt(),
                        info.path("Attempt").asInt(),
                        info.path("Executor ID").asText(),
                        event.path("Task End Reason").path("Reason").asText()));
            }
            case "SparkListenerExecutorAdded" ->
                executorLogUrls.put(
                        event.path("Executor ID").asText(),
                        event.path("Executor Info")
                                .path("Log Urls")
                                .path("stdout")
                                .asText());
            case "SparkListenerExecutorRemoved" ->
                executorsRemoved.put(
                        event.path("Executor ID").asText(),
                        event.path("Removed Reason").asText());
            case "SparkListenerJobStart" -> {
                for (JsonNode stage : event.path("Stage Infos")) {
                    if (TRAINING_STAGE.test(stage.path("Stage Name").asText())) {
                        runningTrainingJobs.put(
                                event.path("Job ID").asInt(),
                                event.path("Submission Time").asLong());
                    }
                }
            }
            case "SparkListenerJobEnd" ->
                runningTrainingJobs.remove(event.path("Job ID").asInt());
            case "SparkListenerApplicationEnd" -> applicationEnded = true;
            default -> {
                // other events are not needed
            }
        }
    }

    Path file() {
        return file;
    }

    /**
     * Since when (ms since the epoch, the driver's clock) a job of a training stage (an averaging round) has been
     * running, if one has started and not yet ended.
     */
    Optional<Instant> trainingJobRunningSince() {
        return runningTrainingJobs.values().stream().min(Long::compare).map(Instant::ofEpochMilli);
    }

    boolean applicationEnded() {
        return applicationEnded;
    }

    /** Executor ID to the URL of its stdout on its Worker's web UI (which names the Worker's port). */
    Map<String, String> executorLogUrls() {
        return Map.copyOf(executorLogUrls);
    }

    Map<String, String> executorsRemoved() {
        return Map.copyOf(executorsRemoved);
    }

    Map<Integer, String> stageNames() {
        return Map.copyOf(stageNames);
    }

    List<TaskEnd> taskEnds() {
        return List.copyOf(taskEnds);
    }

    /** Successful task counts per executor, in the stages whose name matches. */
    Map<String, Long> successfulTasksPerExecutor(Predicate<String> stageName) {
        return taskEnds.stream()
                .filter(TaskEnd::succeeded)
                .filter(t -> stageName.test(stageNames.getOrDefault(t.stageId(), "")))
                .collect(Collectors.groupingBy(TaskEnd::executorId, TreeMap::new, Collectors.counting()));
    }

    /** Task attempts that did not succeed (executor lost, fetch failed, killed, exception). */
    List<TaskEnd> failedAttempts() {
        return taskEnds.stream().filter(t -> !t.succeeded()).toList();
    }

    /** How many task attempts failed, per reason. */
    Map<String, Long> failureReasons() {
        return failedAttempts().stream()
                .collect(Collectors.groupingBy(TaskEnd::reason, TreeMap::new, Collectors.counting()));
    }

    /** Task attempts that were a task's second or later try. */
    List<TaskEnd> retryAttempts() {
        return taskEnds.stream().filter(t -> t.attempt() > 0).toList();
    }

    /** Task attempts that re-ran work: a task's later try, or any task of a resubmitted stage attempt. */
    List<TaskEnd> rerunAttempts() {
        return taskEnds.stream()
                .filter(t -> t.attempt() > 0 || t.stageAttempt() > 0)
                .toList();
    }

    /** Stages Spark ran again (a second stage attempt), e.g. to recompute shuffle output a lost executor held. */
    Set<Integer> resubmittedStages() {
        return taskEnds.stream()
                .filter(t -> t.stageAttempt() > 0)
                .map(TaskEnd::stageId)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** A few lines for the test output: stages, tasks per executor, failures. */
    String summary() {
        StringBuilder out =
                new StringBuilder("event log ").append(file.getFileName()).append('\n');
        stageNames.forEach((id, name) ->
                out.append("  stage ").append(id).append(": ").append(name).append('\n'));
        out.append("  executors: ").append(executorLogUrls).append('\n');
        out.append("  removed executors: ").append(executorsRemoved).append('\n');
        out.append("  successful training tasks per executor: ")
                .append(successfulTasksPerExecutor(TRAINING_STAGE))
                .append('\n');
        out.append("  task attempts: ")
                .append(taskEnds.size())
                .append(", failed: ")
                .append(failedAttempts().size())
                .append(" ")
                .append(failureReasons())
                .append(", retries (attempt > 0): ")
                .append(retryAttempts().size())
                .append(", resubmitted stages: ")
                .append(resubmittedStages())
                .append(", re-run task attempts: ")
                .append(rerunAttempts().size())
                .append('\n');
        return out.toString();
    }
}
