package io.mnistspark.backend;

import java.util.concurrent.Callable;

/** Runs a piece of a test with {@link OneDnnKernels}' switch set, then puts the JVM's setting back. */
final class KernelSwitch {

    private KernelSwitch() {}

    static <T> T with(boolean on, Callable<T> action) throws Exception {
        String previous = System.getProperty(OneDnnKernels.SWITCH_PROPERTY);
        System.setProperty(OneDnnKernels.SWITCH_PROPERTY, Boolean.toString(on));
        try {
            return action.call();
        } finally {
            if (previous == null) {
                System.clearProperty(OneDnnKernels.SWITCH_PROPERTY);
            } else {
                System.setProperty(OneDnnKernels.SWITCH_PROPERTY, previous);
            }
        }
    }
}
