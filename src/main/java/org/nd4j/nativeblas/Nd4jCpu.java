package org.nd4j.nativeblas;

/**
 * Workaround for DL4J 1.0.0-M2 (dl4j-spark is no longer developed upstream).
 *
 * <p>Symptom: on an {@code nd4j-native} {@code -onednn*} build, with helpers allowed, convolution and subsampling
 * layers still get no oneDNN helper ({@code layer.getHelper()} is null) and train several times slower.
 * Cause: {@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()} looks up
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment} by reflection and calls {@code isUseMKLDNN()} on its
 * {@code getInstance()}; ND4J M2 renamed that class to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment}
 * and the method to {@code isUseONEDNN()}, so the lookup fails and DL4J concludes oneDNN is absent.
 *
 * <p>This class restores the old name and delegates to the new one. It is only read through that reflective lookup.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {}

    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {}

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance()
                    .isUseONEDNN();
        }
    }
}
