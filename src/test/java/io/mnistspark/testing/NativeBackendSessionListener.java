package io.mnistspark.testing;

import io.mnistspark.backend.NativeBackend;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Configures ND4J's native build once per test JVM, before any test can load ND4J, as MnistCli.main does. */
public final class NativeBackendSessionListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeBackend.configure();
    }
}
