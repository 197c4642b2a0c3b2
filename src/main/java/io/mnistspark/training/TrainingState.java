package io.mnistspark.training;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything training needs to go on exactly where it stopped, after round {@code round} of epoch {@code epoch}: the
 * network (parameters, Adam's state, and in its configuration the iteration and epoch counts that the learning-rate
 * schedule, Adam's bias correction and the dropout seeds follow), the outer optimizer's momentum, and the records so
 * far. The minibatches of every round follow from the seed and the epoch, so they need no state of their own.
 *
 * @param epoch          1-based epoch of the last completed round
 * @param round          that round, 1-based within its epoch
 * @param epochComplete  whether the epoch's accuracy was measured too (its history record is in {@code history})
 * @param network        the network after that round
 * @param outerVelocity  the outer optimizer's momentum buffer; null with {@code none} or before the first round
 * @param history        one record per completed epoch
 * @param rounds         one record per completed round
 */
public record TrainingState(
        int epoch,
        int round,
        boolean epochComplete,
        MultiLayerNetwork network,
        INDArray outerVelocity,
        List<EpochRecord> history,
        List<RoundRecord> rounds) {

    public TrainingState {
        history = List.copyOf(history);
        rounds = List.copyOf(rounds);
    }

    /** Receives the training state at every checkpoint. */
    public interface Checkpointer {
        void save(TrainingState state);
    }
}
