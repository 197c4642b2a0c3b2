package io.mnistspark.config;

import java.util.Arrays;
import java.util.Locale;

/** The update the driver applies to the averaged parameters after each averaging round. */
public enum OuterOptimizerKind {
    /** The plain average of the workers' parameters, as dl4j-spark's parameter averaging has it. */
    NONE,
    /**
     * Nesterov momentum on the round's parameter change (SlowMo, Wang et al. 2020; DiLoCo, Douillard et al. 2023): the
     * averaged change is an outer gradient, and the driver steps along it and along the change of earlier rounds.
     */
    NESTEROV;

    /** The spelling in configuration files and on the command line. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    static OuterOptimizerKind parse(String configKey, String value) {
        for (OuterOptimizerKind kind : values()) {
            if (kind.key().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new ConfigException("'" + configKey + "' must be one of "
                + Arrays.stream(values()).map(OuterOptimizerKind::key).toList() + " but is '" + value + "'");
    }
}
