package io.mnistspark.training;

import io.mnistspark.config.OuterOptimizerKind;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The driver's update of the parameters after an averaging round. The workers start a round from {@code start} and
 * dl4j-spark averages where they ended; the plain average moves the model about as far as one worker's steps did,
 * however many workers contributed. With Nesterov momentum (as PyTorch's {@code SGD(nesterov=True)} computes it) the
 * round's change {@code g = start - averaged} is an outer gradient:
 * <pre>
 * v = momentum * v + g          (v = g in the first round)
 * parameters = start - learningRate * (g + momentum * v)
 * </pre>
 * With learning rate 1 and momentum 0 that is the plain average again.
 */
public final class OuterOptimizer {

    private final OuterOptimizerKind kind;
    private final double learningRate;
    private final double momentum;
    private INDArray velocity;

    public OuterOptimizer(OuterOptimizerKind kind, double learningRate, double momentum) {
        this(kind, learningRate, momentum, null);
    }

    /** Goes on from a momentum buffer of earlier rounds ({@link #velocity()}), e.g. from a checkpoint. */
    public OuterOptimizer(OuterOptimizerKind kind, double learningRate, double momentum, INDArray velocity) {
        this.kind = kind;
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.velocity = velocity == null ? null : velocity.dup();
    }

    /** Whether {@link #apply} needs the parameters the round started from. */
    public boolean needsStart() {
        return kind != OuterOptimizerKind.NONE;
    }

    /**
     * The parameters after a round that started from {@code start} and averaged to {@code averaged}: a new array, or
     * {@code averaged} itself without an outer update.
     */
    public INDArray apply(INDArray start, INDArray averaged) {
        if (!needsStart()) {
            return averaged;
        }
        INDArray change = start.sub(averaged);
        velocity = velocity == null ? change.dup() : velocity.muli(momentum).addi(change);
        // The step, learningRate * (change + momentum * velocity), in change's memory; the temporaries freed at once
        // (NativeMemory).
        INDArray scaledVelocity = velocity.mul(momentum);
        change.addi(scaledVelocity).muli(learningRate);
        INDArray updated = start.sub(change);
        NativeMemory.free(scaledVelocity, change);
        return updated;
    }

    /** The momentum buffer, null before the first round: part of the training state. */
    public INDArray velocity() {
        return velocity;
    }
}
