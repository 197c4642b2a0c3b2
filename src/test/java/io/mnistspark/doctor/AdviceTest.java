package io.mnistspark.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.training.RoundPlan;
import org.junit.jupiter.api.Test;

class AdviceTest {

    /** The defaults: minibatch at most 200, 150 steps an epoch, frequency derived for 15 rounds an epoch. */
    private static final RoundPlan.Request DEFAULTS = new RoundPlan.Request(200, 150, 0, 15);

    private static Advice.Measurements measured(
            double stepAt200, double stepAt50, double averagingOne, double averagingMany, int slots) {
        return new Advice.Measurements(200, stepAt200, 50, stepAt50, averagingOne, averagingMany, slots, 1, 1, "");
    }

    @Test
    void of_predictsRoundsTimesFittingPlusAveraging_forEveryWorkerCount() {
        Advice advice = Advice.of(measured(0.100, 0.040, 0.200, 0.200, 4), DEFAULTS, 60_000);

        assertEquals(4, advice.predictions().size());
        Advice.Prediction two = advice.predictions().get(1);
        // 2 workers: minibatch 200, 10 a round, 15 rounds: 15 x (10 x 0.100 + 0.200) = 18 s
        assertEquals(200, two.batch());
        assertEquals(10, two.frequency());
        assertEquals(15, two.rounds());
        assertEquals(18.0, two.epochSeconds(), 1e-9);
        // 4 workers: minibatch 100 (0.060 s a step on the line through 0.040 and 0.100): 15 x (10 x 0.06 + 0.2)
        assertEquals(12.0, advice.predictions().get(3).epochSeconds(), 1e-9);
    }

    @Test
    void of_recommendsTheFewestWorkersWithinFivePercentOfTheFastest() {
        // Averaging grows by 0.3 s a worker: more workers stop paying off
        Advice advice = Advice.of(measured(0.100, 0.040, 0.100, 1.000, 4), DEFAULTS, 60_000);

        double fastest = advice.predictions().stream()
                .mapToDouble(Advice.Prediction::epochSeconds)
                .min()
                .orElseThrow();
        Advice.Prediction chosen = advice.predictions().get(advice.workers() - 1);
        assertTrue(chosen.epochSeconds() <= fastest * 1.05);
        for (Advice.Prediction fewer : advice.predictions().subList(0, advice.workers() - 1)) {
            assertTrue(fewer.epochSeconds() > fastest * 1.05);
        }
        assertEquals(chosen.frequency(), advice.frequency());
    }

    @Test
    void of_whenAveragingDominates_suggestsALargerFrequency() {
        Advice advice = Advice.of(measured(0.010, 0.004, 0.500, 0.500, 2), DEFAULTS, 60_000);

        assertTrue(advice.note().contains("--averaging-frequency"), advice.note());
        assertTrue(advice.model().startsWith("epoch(W) = rounds(W) x"), advice.model());
    }

    @Test
    void measurements_calibrationScalesBothParts() {
        Advice.Measurements plain = measured(0.100, 0.040, 0.200, 0.300, 2);
        Advice.Measurements scaled = new Advice.Measurements(200, 0.100, 50, 0.040, 0.200, 0.300, 2, 2, 0.5, "x");
        assertEquals(2 * plain.step(120), scaled.step(120), 1e-12);
        assertEquals(0.5 * plain.averaging(2), scaled.averaging(2), 1e-12);
    }
}
