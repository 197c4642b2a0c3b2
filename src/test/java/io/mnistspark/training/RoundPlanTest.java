package io.mnistspark.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RoundPlanTest {

    private static final int FULL_SET = 60_000;
    /** The defaults: minibatches of at most 200, 150 of them a worker an epoch, in 15 rounds. */
    private static final RoundPlan.Request DEFAULTS = new RoundPlan.Request(200, 150, 0, 15);

    @Test
    void derivedMinibatches_keepEveryWorkersStepsAnEpoch_whateverTheWorkerCount() {
        for (int workers : new int[] {2, 4, 8, 16}) {
            RoundPlan plan = RoundPlan.of(DEFAULTS, workers, FULL_SET);

            assertEquals(FULL_SET / workers / 150, plan.batchSizePerWorker(), workers + " workers");
            assertEquals(10, plan.averagingFrequency(), workers + " workers");
            assertEquals(15, plan.roundsPerEpoch(FULL_SET), workers + " workers");
            assertTrue(plan.batchDerived() && plan.frequencyDerived());
        }
    }

    @Test
    void derivedMinibatches_shrinkWithTheData_andNeverExceedTheConfiguredSize() {
        RoundPlan slice = RoundPlan.of(DEFAULTS, 2, 6_000);
        RoundPlan oneWorker = RoundPlan.of(DEFAULTS, 1, FULL_SET);

        assertEquals(20, slice.batchSizePerWorker());
        assertEquals(15, slice.roundsPerEpoch(6_000));
        assertEquals(200, oneWorker.batchSizePerWorker(), "at most the configured 200");
        assertEquals(20, oneWorker.averagingFrequency(), "300 minibatches in 15 rounds");
    }

    @Test
    void derivedFrequency_isAtLeastOne_onASliceWithFewerMinibatchesThanRounds() {
        RoundPlan plan = RoundPlan.of(new RoundPlan.Request(200, 0, 0, 15), 2, 2_000);

        assertEquals(1, plan.averagingFrequency());
        assertEquals(5, plan.roundsPerEpoch(2_000));
    }

    @Test
    void givenSizes_areKept() {
        RoundPlan plan = RoundPlan.of(new RoundPlan.Request(200, 0, 10, 15), 8, FULL_SET);

        assertEquals(200, plan.batchSizePerWorker());
        assertEquals(10, plan.averagingFrequency());
        assertFalse(plan.batchDerived() || plan.frequencyDerived());
    }

    @Test
    void rounds_takeEveryMinibatchOnceInOrder_workersTimesFrequencyAtATime() {
        List<Integer> minibatches = IntStream.range(0, 23).boxed().toList();

        List<List<Integer>> rounds = new RoundPlan(2, 32, 5, false, false).rounds(minibatches);

        assertEquals(3, rounds.size());
        assertEquals(List.of(10, 10, 3), rounds.stream().map(List::size).toList());
        assertEquals(minibatches, rounds.stream().flatMap(List::stream).toList());
    }
}
