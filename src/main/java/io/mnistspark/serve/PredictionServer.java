package io.mnistspark.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mnistspark.data.IdxFormatException;
import io.mnistspark.digits.Classification;
import io.mnistspark.digits.DigitClassifier;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.digits.PredictionInputException;
import io.mnistspark.evaluation.Prediction;
import io.mnistspark.output.RunSamples;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web page and JSON API of {@code serve}, on an embedded Javalin (Jetty 11) server. Everything the page needs is
 * served from the classpath ({@code /web}); it fetches nothing from elsewhere.
 *
 * <pre>
 * GET  /                          the page (index.html, app.js, style.css)
 * GET  /api/info                  the model, the run and how many test digits it has
 * POST /api/predict?name=FILE     body: a digit CSV (at most 64 KiB) -> digit, confidence, probabilities, pixels
 * GET  /api/random/correct        a random correctly classified test digit of the run, with predicted and actual
 * GET  /api/random/misclassified  a random misclassified one
 * </pre>
 * Errors are JSON {@code {"error": "..."}}: 400 for a bad CSV (the parser's message), 413 for an upload over the
 * limit, 404 when there is no run; never a stack trace.
 */
public final class PredictionServer implements AutoCloseable {

    public static final int MAX_UPLOAD_BYTES = DigitCsv.MAX_BYTES;
    public static final String CORRECT = "correct";
    public static final String MISCLASSIFIED = "misclassified";

    private static final Logger LOG = LoggerFactory.getLogger(PredictionServer.class);
    private static final String WEB = "/web/";
    private static final String JSON = "application/json";
    private static final String DEFAULT_NAME = "upload";
    private static final int MAX_NAME = 200;
    /** The page may use only what this server sends. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final DigitClassifier classifier;
    private final Optional<RunSamples> samples;
    private final Map<String, Object> info;
    private final Random random;
    private final ObjectMapper json = new ObjectMapper();
    private final Javalin app;

    private PredictionServer(DigitClassifier classifier, Optional<RunSamples> samples, String model, Random random) {
        this.classifier = classifier;
        this.samples = samples;
        this.random = random;
        this.info = new LinkedHashMap<>();
        info.put("model", model);
        info.put("run", samples.map(RunSamples::run).orElse(null));
        info.put("correct", samples.map(s -> s.correct().size()).orElse(0));
        info.put("misclassified", samples.map(s -> s.misclassified().size()).orElse(0));
        info.put("maxUploadBytes", MAX_UPLOAD_BYTES);
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = MAX_UPLOAD_BYTES;
        });
        routes();
    }

    /**
     * Starts serving on {@code host:port} (port 0 picks a free one) and returns once the server listens.
     *
     * @param samples the test digits of a run, for the two "random" buttons; empty to serve without them
     * @param random  where the random test digits come from
     */
    public static PredictionServer start(
            DigitClassifier classifier,
            Optional<RunSamples> samples,
            String model,
            String host,
            int port,
            Random random) {
        PredictionServer server = new PredictionServer(classifier, samples, model, random);
        server.app.start(host, port);
        return server;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private void routes() {
        app.before(ctx -> {
            ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Cache-Control", "no-store");
        });
        app.get("/", ctx -> asset(ctx, "index.html", "text/html; charset=utf-8"));
        app.get("/app.js", ctx -> asset(ctx, "app.js", "text/javascript; charset=utf-8"));
        app.get("/style.css", ctx -> asset(ctx, "style.css", "text/css; charset=utf-8"));
        app.get("/favicon.ico", ctx -> ctx.status(204));
        app.get("/api/info", ctx -> reply(ctx, 200, info));
        app.post("/api/predict", this::predict);
        app.get("/api/random/{kind}", this::randomTestDigit);
        app.error(404, ctx -> {
            if (ctx.path().startsWith("/api/") && !JSON.equals(ctx.res().getContentType())) {
                reply(ctx, 404, error("No such API: " + ctx.method() + " " + ctx.path()));
            }
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            reply(ctx, 500, error("Internal error (" + e.getClass().getSimpleName() + "); see the server's log"));
        });
    }

    private void predict(Context ctx) throws IOException {
        String name = fileName(ctx.queryParam("name"));
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_UPLOAD_BYTES) {
            reply(ctx, 413, error(tooLarge(name, declared)));
            return;
        }
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(MAX_UPLOAD_BYTES + 1);
        }
        if (body.length > MAX_UPLOAD_BYTES) {
            reply(ctx, 413, error(tooLarge(name, body.length)));
            return;
        }
        DigitImage digit;
        try {
            digit = DigitCsv.parse(name, body);
        } catch (PredictionInputException e) {
            reply(ctx, 400, error(e.getMessage()));
            return;
        }
        Classification result = classifier.classify(digit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("file", name);
        answer.put("digit", result.digit());
        answer.put("confidence", result.confidence());
        answer.put("probabilities", result.probabilities());
        answer.put("scale", digit.scale().label());
        answer.put("pixels", digit.greyValues());
        reply(ctx, 200, answer);
    }

    private void randomTestDigit(Context ctx) {
        String kind = ctx.pathParam("kind");
        if (!CORRECT.equals(kind) && !MISCLASSIFIED.equals(kind)) {
            reply(
                    ctx,
                    404,
                    error("No such kind of test digit: '" + kind + "' (use " + CORRECT + " or " + MISCLASSIFIED + ")"));
            return;
        }
        if (samples.isEmpty()) {
            reply(ctx, 404, error("No run's test digits here: start serve with --run RUN_DIR"));
            return;
        }
        List<Prediction> pool =
                CORRECT.equals(kind) ? samples.get().correct() : samples.get().misclassified();
        if (pool.isEmpty()) {
            reply(ctx, 404, error("Run " + samples.get().run() + " has no " + kind + " test digits"));
            return;
        }
        Prediction digit;
        try {
            digit = samples.get().withPixels(RunSamples.pick(pool, 1, random).get(0));
        } catch (PredictionInputException | IdxFormatException e) {
            reply(ctx, 404, error(e.getMessage()));
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("kind", kind);
        answer.put("index", digit.index());
        answer.put("actual", digit.label());
        answer.put("predicted", digit.predicted());
        answer.put("confidence", digit.confidence());
        answer.put("probabilities", digit.probabilities());
        answer.put("caption", digit.caption());
        answer.put("pixels", digit.pixels());
        reply(ctx, 200, answer);
    }

    private static String fileName(String given) {
        if (given == null || given.isBlank()) {
            return DEFAULT_NAME;
        }
        String plain = given.replaceAll("\\p{Cntrl}", "").strip();
        return plain.length() <= MAX_NAME ? plain : plain.substring(0, MAX_NAME);
    }

    private static String tooLarge(String name, long bytes) {
        return String.format(
                "%s: upload of %d bytes is larger than %d KiB; a digit CSV is 28 lines of 28 values",
                name, bytes, MAX_UPLOAD_BYTES / 1024);
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    private void reply(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType(JSON).result(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void asset(Context ctx, String name, String contentType) throws IOException {
        try (InputStream in = PredictionServer.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                throw new IOException("page asset " + WEB + name + " is missing from the classpath");
            }
            ctx.contentType(contentType).result(in.readAllBytes());
        }
    }
}
