package io.mnistspark.backend;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.DropoutHelper;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's inverted dropout ({@link Dropout} with a fixed retain probability p: each value kept with probability p and
 * scaled by 1/p, else zero) drawing its mask and applying it in one pass over the arrays, with a SplitMix64 generator
 * seeded from ND4J's random generator on every call (so a seeded run repeats exactly).
 *
 * <p>Why: DL4J M2's dropout makes its mask in three passes of libnd4j ops (fill with ones, {@code dropout_inverted} on
 * libnd4j's random generator at ~14 ns an element, then a multiply): 6-7 ms of a 77 ms step at batch 200, one thread,
 * for the 275,600 values the reference CNN drops (ND4J's op profiler). The masks differ from libnd4j's, their law is
 * the same.
 *
 * <p>A {@link DropoutHelper}, the hook DL4J gives its dropout for cuDNN: installed on a layer's {@link Dropout}, it
 * leaves the configuration as DL4J saves it unchanged (the helper is not part of it).
 */
final class OnePassDropout extends AlwaysSupportedHelper implements DropoutHelper {

    private static final float UNIFORM_RESOLUTION = 1 << 24;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private INDArray mask; // 0 or 1/p per value of the last forward pass, kept outside DL4J's workspaces
    private float[] values; // scratch for the input's values and the mask's factors, kept between calls
    private float[] factors;

    /**
     * Gives {@code dropout} this helper when it is DL4J's plain inverted dropout with a fixed retain probability.
     *
     * @return whether it did (false when it already has one, or is another kind of dropout)
     */
    static boolean install(IDropout dropout) {
        if (dropout == null
                || dropout.getClass() != Dropout.class
                || ((Dropout) dropout).getPSchedule() != null
                || ((Dropout) dropout).getHelper() != null) {
            return false;
        }
        ((Dropout) dropout).setHelper(new OnePassDropout());
        ((Dropout) dropout).setInitializedHelper(true);
        return true;
    }

    /** Whether {@code dropout} runs on this helper. */
    static boolean installedOn(IDropout dropout) {
        return dropout instanceof Dropout plain && plain.getHelper() instanceof OnePassDropout;
    }

    @Override
    public void applyDropout(INDArray input, INDArray result, double retainProbability) {
        INDArray dense = OneDnn.dense(input.castTo(DataType.FLOAT));
        long length = dense.length();
        if (mask == null || mask.length() != length) {
            try (MemoryWorkspace outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                mask = Nd4j.createUninitialized(DataType.FLOAT, length);
            }
        }
        if (values == null || values.length != length) {
            values = new float[Math.toIntExact(length)];
            factors = new float[values.length];
        }
        INDArray output = denseFloatsLike(result, dense);
        drawAndApply(
                buffer(dense),
                buffer(mask),
                buffer(output),
                values.length,
                (float) retainProbability,
                Nd4j.getRandom().nextLong(),
                values,
                factors);
        if (output != result) {
            result.assign(output);
        }
    }

    @Override
    public void backprop(INDArray gradientAtOutput, INDArray gradientAtInput) {
        // The mask lies as the forward pass's input did: row-major. It stays for the next forward pass to overwrite:
        // a new one every step would be 1 MB of native memory a layer for the garbage collector to free.
        gradientAtOutput.mul(mask.reshape('c', gradientAtOutput.shape()), gradientAtInput);
    }

    /** The mask of the last forward pass, as a flat vector (for tests). */
    INDArray lastMask() {
        return mask;
    }

    /**
     * Keeps each input value with probability {@code retain}, scaled by 1/retain, and records the factor in mask;
     * {@code values} and {@code factors} are scratch arrays of at least {@code length}.
     */
    static void drawAndApply(
            FloatBuffer input,
            FloatBuffer mask,
            FloatBuffer output,
            int length,
            float retain,
            long seed,
            float[] values,
            float[] factors) {
        // Through Java arrays and without branches: a loop over the native buffers ran ~10x slower than one over
        // arrays,
        // and an if on a random draw mispredicts every other time (a scratch harness, 250,000 values).
        float kept = 1f / retain;
        int threshold = Math.round(retain * UNIFORM_RESOLUTION);
        long state = seed;
        for (int i = 0; i < length; i += 2) {
            long bits = splitMix64(state += GOLDEN_GAMMA);
            // Two 24-bit uniforms from each 64 bits; (u - threshold) >>> 31 is 1 exactly when u < threshold.
            factors[i] = ((((int) (bits >>> 40)) - threshold) >>> 31) * kept;
            if (i + 1 < length) {
                factors[i + 1] = ((((int) (bits >>> 8) & 0xFFFFFF) - threshold) >>> 31) * kept;
            }
        }
        input.get(0, values, 0, length);
        for (int i = 0; i < length; i++) {
            values[i] *= factors[i];
        }
        mask.put(0, factors, 0, length);
        output.put(0, values, 0, length);
    }

    private static long splitMix64(long state) {
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** {@code result} itself when it lies as {@code dense} does, else a scratch array for the values. */
    private static INDArray denseFloatsLike(INDArray result, INDArray dense) {
        return result.dataType() == DataType.FLOAT && OneDnn.isDense(result) && result.equalShapes(dense)
                ? result
                : Nd4j.createUninitialized(DataType.FLOAT, dense.shape(), 'c');
    }

    private static FloatBuffer buffer(INDArray dense) {
        return OneDnn.elements(dense).asBuffer();
    }
}
