package io.mnistspark.cli;

import io.mnistspark.output.RunInfo;
import java.util.Map;
import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        Map<String, String> v = RunInfo.versions();
        return new String[] {
            "mnist-spark " + v.get("mnist_spark"),
            "Spark " + v.get("spark") + ", DL4J " + v.get("dl4j") + ", Java " + v.get("java")
        };
    }
}
