package io.mnistspark.cli;

import io.mnistspark.digits.DigitClassifier;
import io.mnistspark.digits.PredictionInputException;
import io.mnistspark.output.RunLayout;
import io.mnistspark.output.RunSamples;
import io.mnistspark.serve.PredictionServer;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        header = "Serve a web page and JSON API that classify a person's digit with a trained model.",
        description = {
            "Upload a digit CSV or draw a digit, and see the digit, the predicted class and the ten probabilities; "
                    + "two buttons show a random correct and a random misclassified test digit of the run.",
            "No Spark: the model and the run's tables are read directly. Stop with Ctrl-C."
        })
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    LoggingOptions logging;

    @Mixin
    ModelOption modelOption;

    @Option(
            names = "--run",
            paramLabel = "RUN_DIR",
            description = "The 'train' or 'evaluate' output folder whose test "
                    + "digits the page shows (default: the run --model belongs to, when it is one).")
    String run;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Folder of the MNIST test files, for the correct "
                    + "test digits (default: the files the run's run.json names).")
    String dataDir;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "8080",
            description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        Configuration conf = new Configuration();
        DigitClassifier classifier = DigitClassifier.load(modelOption.model, conf);
        Optional<RunSamples> samples;
        try {
            samples = (run != null ? Optional.of(run) : RunLayout.runOf(modelOption.model, conf))
                    .map(dir -> RunSamples.load(dir, Optional.ofNullable(dataDir), conf));
        } catch (PredictionInputException e) {
            spec.commandLine().getErr().println("mnist-spark: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (PredictionServer server =
                PredictionServer.start(classifier, samples, modelOption.model, host, port, new Random())) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                server.close();
                                stopped.countDown();
                            },
                            "serve-shutdown"));
            PrintWriter out = spec.commandLine().getOut();
            out.println(String.format(
                    "Serving %s on http://%s:%d/ (Ctrl-C to stop)",
                    modelOption.model, host.contains(":") ? "[" + host + "]" : host, server.port()));
            samples.ifPresentOrElse(
                    s -> out.println(String.format(
                            "Test digits of %s: %d correct, %d misclassified",
                            s.run(), s.correct().size(), s.misclassified().size())),
                    () -> out.println("No run's test digits (give --run RUN_DIR for the two random buttons)"));
            out.flush();
            stopped.await();
        }
        return ExitCodes.OK;
    }
}
