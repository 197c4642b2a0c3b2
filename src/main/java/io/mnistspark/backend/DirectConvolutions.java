package io.mnistspark.backend;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts {@link OneDnnConvolution} under the convolution layers of a network: the same layers, parameters and saved
 * model, with their arithmetic on oneDNN primitives that mnist-spark keeps between calls.
 *
 * <p>Switch: {@code -Dmnist.onednn.direct=false} or {@code MNIST_ONEDNN_DIRECT=false} leaves DL4J's own oneDNN helper
 * in place; the general oneDNN switch of {@link NativeBackend} turns this off too. Where oneDNN's native library cannot
 * load, networks stay as they are and one warning says why.
 */
public final class DirectConvolutions {

    public static final String SWITCH_PROPERTY = "mnist.onednn.direct";
    public static final String SWITCH_ENV = "MNIST_ONEDNN_DIRECT";

    private static final Logger log = LoggerFactory.getLogger(DirectConvolutions.class);

    /*
     * DL4J M2 chooses a layer's helper by class name when the layer is created and offers no way to set another one,
     * so the protected field is set directly.
     */
    private static final Field HELPER_FIELD = helperField();

    private DirectConvolutions() {
    }

    /** Whether this JVM's settings ask for direct convolutions. */
    public static boolean enabled() {
        String value = System.getProperty(SWITCH_PROPERTY, System.getenv(SWITCH_ENV));
        boolean switchedOff = value != null && value.trim().equalsIgnoreCase("false");
        return NativeBackend.enabled() && !switchedOff;
    }

    /**
     * Gives each 2-D convolution layer of {@code network} that does not have one yet a {@link OneDnnConvolution}.
     * Does nothing when oneDNN cannot load here.
     *
     * @return how many layers got one now
     */
    public static int install(MultiLayerNetwork network) {
        if (!NativeLibrary.LOADED) {
            return 0;
        }
        Layer[] layers = network.getLayers();
        int installed = 0;
        for (int index = 0; index < layers.length; index++) {
            // Exactly this class: its subclasses (1-D, depthwise, separable, ...) compute something else.
            if (layers[index].getClass() == ConvolutionLayer.class
                    && !(((ConvolutionLayer) layers[index]).getHelper() instanceof OneDnnConvolution)) {
                setHelper(layers[index], new OneDnnConvolution(index > 0));
                installed++;
            }
        }
        return installed;
    }

    private static void setHelper(Layer layer, ConvolutionHelper helper) {
        try {
            HELPER_FIELD.set(layer, helper);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set the helper of " + layer, e);
        }
    }

    private static Field helperField() {
        try {
            Field field = ConvolutionLayer.class.getDeclaredField("helper");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's ConvolutionLayer has no 'helper' field: not the 1.0.0-M2 it was "
                    + "written for", e);
        }
    }

    /** Loads oneDNN's native library once per JVM, on first use. */
    private static final class NativeLibrary {
        static final boolean LOADED = load();

        private static boolean load() {
            try {
                org.bytedeco.javacpp.Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                log.info("Convolutions run on oneDNN directly (io.mnistspark.backend.OneDnnConvolution)");
                return true;
            } catch (LinkageError | RuntimeException e) {
                log.warn("oneDNN's native library did not load ({}); convolutions keep DL4J's own helper", e.toString());
                return false;
            }
        }
    }
}
