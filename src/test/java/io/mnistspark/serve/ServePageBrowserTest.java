package io.mnistspark.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.digits.DigitClassifier;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.evaluation.Prediction;
import io.mnistspark.output.RunSamples;
import io.mnistspark.testing.PredictionFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page of {@code serve} in a real headless Chromium, driven by Selenium: upload a CSV and read the predicted digit,
 * see a bad CSV's reason, click "random misclassified", draw a digit with the mouse.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them); skipped where they
 * are absent. Selenium is given both paths, so it never tries to download a browser or driver. With
 * {@code -Dserve.screenshot=FILE} it saves a screenshot of the page after drawing (how docs/images/serve.png is made).
 */
@Tag("browser")
@EnabledIf("browserInstalled")
class ServePageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern CAPTION = Pattern.compile("predicted (\\d), actual (\\d)");

    @TempDir
    Path tmp;

    private PredictionServer server;
    private RunSamples samples;
    private WebDriver browser;
    private WebDriverWait wait;

    static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @BeforeEach
    void startServerAndBrowser() throws Exception {
        String run = PredictionFixtures.trainedRun().toString();
        samples = PredictionFixtures.runSamples();
        server = PredictionServer.start(
                DigitClassifier.load(run, new Configuration()),
                Optional.of(samples),
                run,
                "127.0.0.1",
                0,
                new Random(3));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--user-data-dir=" + tmp.resolve("chromium-profile"));
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, WAIT);
        browser.get("http://127.0.0.1:" + server.port() + "/");
        wait.until(b -> text("model-info").startsWith("Model: "));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void uploadCsv_showsThePredictedDigit_thenRandomMisclassifiedShowsPredictedAndActual() throws Exception {
        // Upload test image 0 as a 0-255 CSV: the page shows the digit the run predicted for it
        Prediction first = testDigit(0);
        Path csv = PredictionFixtures.writeCsv(
                tmp,
                "my-digit.csv",
                DigitCsv.write(
                        DigitImage.fromGrey(PredictionFixtures.testImages(0, 1).greyValues(0)),
                        DigitImage.Scale.GREY_255));
        browser.findElement(By.id("csv-file")).sendKeys(csv.toString());
        wait.until(b -> text("source").startsWith("my-digit.csv"));
        assertEquals(String.valueOf(first.predicted()), text("predicted-digit"));
        assertEquals(
                10, browser.findElements(By.cssSelector("#probabilities li")).size());
        assertEquals(
                String.valueOf(first.predicted()),
                browser.findElement(By.cssSelector("#probabilities li.best")).getAttribute("data-digit"));

        // A bad CSV: the reason is on the page
        Path bad = PredictionFixtures.writeCsv(
                tmp, "bad.csv", PredictionFixtures.uniformCsv("0").replaceFirst("0", "NaN"));
        browser.findElement(By.id("csv-file")).sendKeys(bad.toString());
        wait.until(b -> browser.findElement(By.id("error")).isDisplayed());
        assertEquals("bad.csv: line 1, value 1: NaN is not a grey value", text("error"));

        // "random misclassified": a test digit whose predicted and actual differ
        browser.findElement(By.id("random-misclassified")).click();
        wait.until(b -> CAPTION.matcher(text("caption")).matches());
        Matcher caption = CAPTION.matcher(text("caption"));
        assertTrue(caption.matches());
        assertNotEquals(caption.group(1), caption.group(2));
        assertEquals(caption.group(1), text("predicted-digit"));
        assertTrue(browser.findElement(By.id("caption")).getAttribute("class").contains("wrong"));
        assertTrue(!browser.findElement(By.id("error")).isDisplayed());

        // "random correct": predicted and actual agree
        browser.findElement(By.id("random-correct")).click();
        wait.until(b -> text("source").contains("(correct)"));
        Matcher correct = CAPTION.matcher(text("caption"));
        assertTrue(correct.matches());
        assertEquals(correct.group(1), correct.group(2));
    }

    @Test
    void drawingWithTheMouse_isClassified() throws Exception {
        // A 7: a bar across the top, then down to the lower left, in one stroke
        WebElement canvas = browser.findElement(By.id("draw-canvas"));
        new Actions(browser)
                .moveToElement(canvas, -70, -90)
                .clickAndHold()
                .moveByOffset(40, 0)
                .moveByOffset(40, 0)
                .moveByOffset(40, 0)
                .moveByOffset(-20, 40)
                .moveByOffset(-20, 40)
                .moveByOffset(-20, 40)
                .moveByOffset(-20, 40)
                .moveByOffset(-10, 30)
                .release()
                .perform();
        wait.until(b -> text("source").startsWith("drawing"));
        assertTrue(text("predicted-digit").matches("\\d"), text("predicted-digit"));
        assertEquals(
                10, browser.findElements(By.cssSelector("#probabilities li")).size());
        String screenshot = System.getProperty("serve.screenshot");
        if (screenshot != null) {
            Files.write(Path.of(screenshot), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
        }
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    private Prediction testDigit(int index) {
        return java.util.stream.Stream.concat(samples.correct().stream(), samples.misclassified().stream())
                .filter(d -> d.index() == index)
                .findFirst()
                .orElseThrow();
    }
}
