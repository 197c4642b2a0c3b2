package io.mnistspark.backend;

import org.deeplearning4j.nn.layers.BaseLayer;

/** What a kernel layer takes over from the DL4J layer it stands in for. */
final class ReplacedLayers {

    private ReplacedLayers() {}

    /**
     * Gives {@code replacement} the parameters, gradient views, position, listeners and counters of {@code original},
     * so that both share the network's flattened parameter and gradient arrays.
     */
    static void takeOver(BaseLayer<?> replacement, BaseLayer<?> original) {
        replacement.setParamsViewArray(original.params());
        replacement.setParamTable(original.paramTable());
        // A network gives its layers their gradient views on the first fit: then the replacement gets them itself.
        if (original.getGradientsViewArray() != null) {
            replacement.setBackpropGradientsViewArray(original.getGradientsViewArray());
        }
        replacement.setIndex(original.getIndex());
        replacement.setListeners(original.getListeners());
        replacement.setEpochCount(original.getEpochCount());
        replacement.setIterationCount(original.getIterationCount());
    }
}
