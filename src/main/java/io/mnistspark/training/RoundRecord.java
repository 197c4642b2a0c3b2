package io.mnistspark.training;

/**
 * What one averaging round did and cost.
 *
 * @param epoch             1-based epoch
 * @param round             1-based round within the epoch
 * @param workers           workers the round's minibatches were spread over
 * @param minibatches       minibatches fitted in the round, by all workers together
 * @param images            training images in those minibatches
 * @param seconds           wall time of the round on the driver, outer update included
 * @param fitSeconds        the longest time a worker spent fitting its minibatches (dl4j-spark's worker statistics)
 * @param averagingSeconds  the rest of the round: broadcast, scheduling, building the worker networks, aggregating
 *                          the parameters and updater state, and the outer update
 * @param loss              mean loss of the workers' last minibatches of the round
 */
public record RoundRecord(
        int epoch,
        int round,
        int workers,
        int minibatches,
        long images,
        double seconds,
        double fitSeconds,
        double averagingSeconds,
        double loss) {}
