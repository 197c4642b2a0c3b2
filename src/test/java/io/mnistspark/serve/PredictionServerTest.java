package io.mnistspark.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnistspark.data.Slice;
import io.mnistspark.digits.DigitClassifier;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.evaluation.Prediction;
import io.mnistspark.output.RunSamples;
import io.mnistspark.testing.PredictionFixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON API and the page of {@code serve}, over real HTTP on loopback, with a model trained on real MNIST. */
class PredictionServerTest {

    private static PredictionServer server;
    private static RunSamples samples;
    private static Slice images;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startServer() throws Exception {
        String run = PredictionFixtures.trainedRun().toString();
        samples = PredictionFixtures.runSamples();
        images = PredictionFixtures.testImages(0, 10);
        server = PredictionServer.start(
                DigitClassifier.load(run, new Configuration()),
                Optional.of(samples),
                run,
                "127.0.0.1",
                0,
                new Random(1));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void predict_csvOfATestImage_answersAsTheRunDid_inBothScales() throws Exception {
        for (int i = 0; i < 10; i++) {
            Prediction byRun = byIndex(i);
            DigitImage digit = DigitImage.fromGrey(images.greyValues(i));
            for (DigitImage.Scale scale : DigitImage.Scale.values()) {
                HttpResponse<String> response =
                        post("/api/predict?name=test" + i + ".csv", DigitCsv.write(digit, scale));
                assertEquals(200, response.statusCode(), response.body());
                JsonNode answer = JSON.readTree(response.body());
                assertEquals(byRun.predicted(), answer.get("digit").asInt(), "image " + i + " " + scale);
                assertEquals(10, answer.get("probabilities").size());
                assertEquals(784, answer.get("pixels").size());
                assertEquals(scale.label(), answer.get("scale").asText());
                assertEquals("test" + i + ".csv", answer.get("file").asText());
            }
        }
    }

    @Test
    void predict_badCsv_is400WithTheParsersMessageAndNoStackTrace() throws Exception {
        HttpResponse<String> response = post(
                "/api/predict?name=mine.csv", PredictionFixtures.uniformCsv("0").replaceFirst("0", "NaN"));

        assertEquals(400, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(
                "mine.csv: line 1, value 1: NaN is not a grey value",
                JSON.readTree(response.body()).get("error").asText());
        assertFalse(response.body().contains("Exception") || response.body().contains("at io."));
    }

    @Test
    void predict_wrongShape_is400NamingTheLine() throws Exception {
        HttpResponse<String> response = post("/api/predict", "1,2,3\n");
        assertEquals(400, response.statusCode());
        assertEquals(
                "upload: line 1: 3 values, expected 28",
                JSON.readTree(response.body()).get("error").asText());
    }

    @Test
    void predict_uploadOverTheLimit_is413() throws Exception {
        HttpResponse<String> response =
                post("/api/predict?name=huge.csv", "1".repeat(PredictionServer.MAX_UPLOAD_BYTES + 1));
        assertEquals(413, response.statusCode());
        assertTrue(
                JSON.readTree(response.body())
                        .get("error")
                        .asText()
                        .startsWith("huge.csv: upload of 65537 bytes " + "is larger than 64 KiB"),
                response.body());
    }

    @Test
    void random_misclassifiedAndCorrect_comeWithPixelsAndBothDigits() throws Exception {
        for (String kind : new String[] {PredictionServer.MISCLASSIFIED, PredictionServer.CORRECT}) {
            HttpResponse<String> response = get("/api/random/" + kind);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode digit = JSON.readTree(response.body());
            int predicted = digit.get("predicted").asInt();
            int actual = digit.get("actual").asInt();
            assertEquals(PredictionServer.CORRECT.equals(kind), predicted == actual, response.body());
            assertEquals(
                    "predicted " + predicted + ", actual " + actual,
                    digit.get("caption").asText());
            assertEquals(784, digit.get("pixels").size());
            // The pixels are the test image's own
            Slice image = PredictionFixtures.testImages(digit.get("index").asInt(), 1);
            assertEquals(actual, image.label(0));
            assertEquals(image.greyValues(0)[400], digit.get("pixels").get(400).asInt());
        }
    }

    @Test
    void random_unknownKind_is404AsJson() throws Exception {
        HttpResponse<String> response = get("/api/random/sometimes");
        assertEquals(404, response.statusCode());
        assertTrue(JSON.readTree(response.body()).get("error").asText().contains("use correct or misclassified"));
    }

    @Test
    void page_andItsAssets_areServedHereAndLoadNothingFromElsewhere() throws Exception {
        for (String path : new String[] {"/", "/app.js", "/style.css"}) {
            HttpResponse<String> response = get(path);
            assertEquals(200, response.statusCode(), path);
            assertFalse(
                    response.body().contains("http://")
                            || response.body().contains("https://")
                            || response.body().contains("//cdn"),
                    path + " refers to another site");
            assertTrue(response.headers()
                    .firstValue("Content-Security-Policy")
                    .orElse("")
                    .startsWith("default-src 'self'"));
        }
        assertTrue(get("/").body().contains("<script src=\"app.js\""));
    }

    @Test
    void info_namesTheRunAndCountsItsTestDigits() throws Exception {
        JsonNode info = JSON.readTree(get("/api/info").body());
        assertEquals(samples.correct().size(), info.get("correct").asInt());
        assertEquals(samples.misclassified().size(), info.get("misclassified").asInt());
        assertNotEquals(0, info.get("correct").asInt());
    }

    @Test
    void serverWithoutARun_answersRandomWith404AndAReason() throws Exception {
        String run = PredictionFixtures.trainedRun().toString();
        try (PredictionServer bare = PredictionServer.start(
                DigitClassifier.load(run, new Configuration()), Optional.empty(), run, "127.0.0.1", 0, new Random(1))) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bare.port() + "/api/random/correct"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode());
            assertTrue(response.body().contains("start serve with --run RUN_DIR"), response.body());
        }
    }

    private static Prediction byIndex(int index) {
        return java.util.stream.Stream.concat(samples.correct().stream(), samples.misclassified().stream())
                .filter(d -> d.index() == index)
                .findFirst()
                .orElseThrow();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "text/csv")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
