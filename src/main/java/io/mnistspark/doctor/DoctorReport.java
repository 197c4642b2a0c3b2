package io.mnistspark.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the doctor found: one {@link Check} per line, and the advice when the measurements allowed one.
 *
 * @param checks  every check, the driver's first, then each executor's
 * @param advice  the predicted epoch times and the recommendation; empty when no executor could time a step
 * @param seconds how long the doctor took
 */
public record DoctorReport(List<Check> checks, Optional<Advice> advice, double seconds) {

    public boolean failed() {
        return count(Check.Status.FAIL) > 0;
    }

    public long count(Check.Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    public String summary() {
        return String.format(
                Locale.ROOT,
                "%d checks: %d ok, %d warn, %d fail (%.1f s)%s",
                checks.size(),
                count(Check.Status.OK),
                count(Check.Status.WARN),
                count(Check.Status.FAIL),
                seconds,
                failed() ? "; fix the failures above (each names the setting or path to change)" : "");
    }

    /** The report for people: aligned check lines, the advice as a table, the summary. */
    public String text() {
        int checkWidth = checks.stream().mapToInt(c -> c.check().length()).max().orElse(5);
        int whereWidth = checks.stream().mapToInt(c -> c.where().length()).max().orElse(5);
        StringBuilder out = new StringBuilder();
        for (Check c : checks) {
            out.append(String.format(
                    Locale.ROOT,
                    "%-" + checkWidth + "s  %-" + whereWidth + "s  %-4s  %s%n",
                    c.check(),
                    c.where(),
                    c.status().label(),
                    c.detail()));
        }
        advice.ifPresent(a -> {
            out.append(String.format(
                    "%nPredicted epoch time:%n  workers  minibatch  frequency  rounds  epoch (s)  " + "averaging%n"));
            for (Advice.Prediction p : a.predictions()) {
                out.append(String.format(
                        Locale.ROOT,
                        "  %7d  %9d  %9d  %6d  %9.1f  %8.0f%%%s%n",
                        p.workers(),
                        p.batch(),
                        p.frequency(),
                        p.rounds(),
                        p.epochSeconds(),
                        100 * p.averagingShare(),
                        p.workers() == a.workers() ? "  <- recommended" : ""));
            }
            out.append(String.format(
                    "Advice: %d workers (--workers %d), averaging frequency %d%n",
                    a.workers(), a.workers(), a.frequency()));
            if (!a.note().isEmpty()) {
                out.append("Note: ").append(a.note()).append(System.lineSeparator());
            }
            out.append("Model: ").append(a.model()).append(System.lineSeparator());
        });
        out.append(summary()).append(System.lineSeparator());
        return out.toString();
    }

    /**
     * The report for scripts: {@code checks} (check, where, status, detail), {@code advice} (or null; names in
     * snake_case, as in run.json), {@code summary} (ok, warn, fail, seconds) and {@code ok}.
     */
    public String json() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("checks", checks.stream().map(DoctorReport::row).toList());
        all.put("advice", advice.orElse(null));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("ok", count(Check.Status.OK));
        summary.put("warn", count(Check.Status.WARN));
        summary.put("fail", count(Check.Status.FAIL));
        summary.put("seconds", seconds);
        all.put("summary", summary);
        all.put("ok", !failed());
        try {
            return new ObjectMapper()
                            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(all)
                    + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the doctor's report could not be serialised", e);
        }
    }

    private static Map<String, String> row(Check check) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("check", check.check());
        row.put("where", check.where());
        row.put("status", check.status().label());
        row.put("detail", check.detail());
        return row;
    }
}
