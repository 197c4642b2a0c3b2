package io.mnistspark.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.model.ReferenceCnn;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/** The oneDNN path: chosen per CPU, really used by the convolution layers, and numerically the same network. */
class NativeBackendTest {

    private static final Set<String> AVX512 =
            Set.of("sse4_2", "avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd");

    @Test
    void chooseBuild_prefersAvx512WhereTheCpuHasIt() {
        assertEquals(Optional.of(NativeBackend.AVX512_BUILD), NativeBackend.chooseBuild(AVX512, true));
    }

    @Test
    void chooseBuild_fallsBackToThePortableBuildWithoutAvx512() {
        assertEquals(
                Optional.of(NativeBackend.PORTABLE_BUILD),
                NativeBackend.chooseBuild(Set.of("sse4_2", "avx2", "avx512f"), true));
        assertEquals(Optional.of(NativeBackend.PORTABLE_BUILD), NativeBackend.chooseBuild(Set.of(), true));
    }

    @Test
    void chooseBuild_withOneDnnSwitchedOff_isThePlainBuild_evenOnAvx512() {
        assertEquals(Optional.of(NativeBackend.PLAIN_BUILD), NativeBackend.chooseBuild(AVX512, false));
    }

    @Test
    void theLoadedLibrary_isTheBuildChosenForThisCpu() {
        NativeBackend.start();

        String chosen =
                NativeBackend.chooseBuild(NativeBackend.cpuFlags(), true).orElseThrow();
        assertEquals(chosen, System.getProperty(NativeBackend.PLATFORM_EXTENSION));
        // javacpp reads the property: the library came from that build's folder
        assertEquals(Optional.of(Loader.getPlatform() + chosen), NativeBackend.loadedBuild());
    }

    @Test
    void openMpThreadsWanted_isOmpNumThreadsFirstCount_elseOnePerProcessor() {
        assertEquals(1, NativeBackend.openMpThreadsWanted("1", 2));
        assertEquals(3, NativeBackend.openMpThreadsWanted("3,1", 2));
        assertEquals(2, NativeBackend.openMpThreadsWanted(null, 2));
        assertEquals(2, NativeBackend.openMpThreadsWanted("many", 2));
        assertEquals(2, NativeBackend.openMpThreadsWanted("0", 2));
    }

    @Test
    void limitOpenMpThreads_setsTheCallingThreadsOpenMpThreads() {
        NativeBackend.start();
        NativeOps openMp = NativeOpsHolder.getInstance().getDeviceNativeOps();
        openMp.setOmpNumThreads(7); // as ND4J leaves the thread that loads it, with another count

        int threads = NativeBackend.limitOpenMpThreads();

        assertEquals(threads, openMp.ompGetMaxThreads());
        assertEquals(
                NativeBackend.openMpThreadsWanted(
                        System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors()),
                threads);
    }

    @Test
    void platform_isJavacppsName() {
        NativeBackend.start();

        assertEquals(Loader.getPlatform(), NativeBackend.platform());
    }

    @Test
    void convolutionAndPoolingLayers_runWithOneDnnHelpers() {
        assertTrue(
                System.getProperty(NativeBackend.PLATFORM_EXTENSION, "").startsWith("-onednn"),
                "the test JVM loaded a oneDNN build of nd4j-native");
        MultiLayerNetwork network = new MultiLayerNetwork(ReferenceCnn.configuration(1e-3, 1));
        network.init();

        for (int i : new int[] {0, 1, 3}) {
            Object helper = ((ConvolutionLayer) network.getLayer(i)).getHelper();
            assertNotNull(helper, "convolution layer " + i + " has a helper");
            assertTrue(
                    helper.getClass().getSimpleName().startsWith("MKLDNN"),
                    helper.getClass().getName());
        }
        for (int i : new int[] {2, 4}) {
            assertNotNull(((SubsamplingLayer) network.getLayer(i)).getHelper(), "pooling layer " + i);
        }
    }

    @Test
    void oneDnnPath_givesTheSameOutputsAsTheDefaultPathOnTheSameWeights() {
        MultiLayerNetwork withHelpers = new MultiLayerNetwork(ReferenceCnn.configuration(1e-3, 1));
        withHelpers.init();
        MultiLayerNetwork withoutHelpers = withoutHelpers(withHelpers);
        INDArray input = Nd4j.rand(DataType.FLOAT, 16, 1, 28, 28);

        INDArray expected = withoutHelpers.output(input, false);
        INDArray actual = withHelpers.output(input, false);

        assertTrue(expected.equalsWithEps(actual, 1e-4), "outputs differ:\n" + expected + "\n" + actual);
    }

    private static MultiLayerNetwork withoutHelpers(MultiLayerNetwork template) {
        String previous = System.getProperty(NativeBackend.HELPERS_DISABLE);
        System.setProperty(NativeBackend.HELPERS_DISABLE, "true");
        try {
            MultiLayerNetwork copy =
                    new MultiLayerNetwork(template.getLayerWiseConfigurations().clone());
            copy.init(template.params().dup(), false);
            assertEquals(null, ((ConvolutionLayer) copy.getLayer(0)).getHelper(), "default path has no helper");
            return copy;
        } finally {
            System.setProperty(NativeBackend.HELPERS_DISABLE, previous == null ? "false" : previous);
        }
    }
}
