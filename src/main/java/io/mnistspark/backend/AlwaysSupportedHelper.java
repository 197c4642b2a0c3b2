package io.mnistspark.backend;

import java.util.Collections;
import java.util.Map;
import org.deeplearning4j.nn.layers.LayerHelper;

/**
 * What mnist-spark's DL4J helpers answer alike: they are supported wherever they are installed (they decline inputs
 * they do not cover call by call) and hold no memory DL4J would count.
 */
abstract class AlwaysSupportedHelper implements LayerHelper {

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }
}
