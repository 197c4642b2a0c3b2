package io.mnistspark.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.data.Slice;
import io.mnistspark.digits.DigitCsv;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.pictures.DigitPictures;
import io.mnistspark.testing.CliRun;
import io.mnistspark.testing.PredictionFixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code render}: a digit CSV as a PNG, and a run's contact sheet, through the command line. */
class RenderCommandTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    @TempDir
    Path tmp;

    @Test
    void render_digitCsv_writesA280PixelPngBesideIt_darkStrokesOnWhite() throws Exception {
        Slice seven = PredictionFixtures.testImages(0, 1); // the first test image is a 7
        int[] grey = seven.greyValues(0);
        Path csv = PredictionFixtures.writeCsv(
                tmp, "seven.csv", DigitCsv.write(DigitImage.fromGrey(grey), DigitImage.Scale.UNIT));

        CliRun cli = CliRun.run("render", csv.toString());

        assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
        Path png = tmp.resolve("seven.png");
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(280, image.getWidth());
        assertEquals(280, image.getHeight());
        int darkest = 0;
        for (int p = 1; p < grey.length; p++) {
            darkest = grey[p] > grey[darkest] ? p : darkest;
        }
        int x = (darkest % 28) * 10 + 5;
        int y = (darkest / 28) * 10 + 5;
        assertEquals(255 - grey[darkest], image.getRaster().getSample(x, y, 0), "stroke pixel");
        assertEquals(255, image.getRaster().getSample(0, 0, 0), "background pixel");
    }

    @Test
    void render_withScaleAndOutput_writesThatSize() throws Exception {
        Path csv = PredictionFixtures.writeCsv(tmp, "flat.csv", PredictionFixtures.uniformCsv("128"));
        Path png = tmp.resolve("pictures/flat-3x.png");
        Files.createDirectories(png.getParent());

        CliRun cli = CliRun.run("render", csv.toString(), "--scale", "3", "--output", png.toString());

        assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(84, image.getWidth());
        assertEquals(84, image.getHeight());
        assertEquals(127, image.getRaster().getSample(40, 40, 0));
    }

    @Test
    void render_existingPng_isLeftUntouchedWithoutOverwrite() throws Exception {
        Path csv = PredictionFixtures.writeCsv(tmp, "flat.csv", PredictionFixtures.uniformCsv("0"));
        Files.writeString(tmp.resolve("flat.png"), "mine");

        CliRun cli = CliRun.run("render", csv.toString());

        assertEquals(ExitCodes.OUTPUT_EXISTS, cli.exitCode());
        assertTrue(cli.err().contains("flat.png already exists"), cli.err());
        assertEquals("mine", Files.readString(tmp.resolve("flat.png")));
        assertEquals(
                ExitCodes.OK,
                CliRun.run("render", csv.toString(), "--overwrite").exitCode());
    }

    @Test
    void render_badCsv_namesFileLineAndProblem() throws Exception {
        Path csv = PredictionFixtures.writeCsv(
                tmp, "bad.csv", PredictionFixtures.uniformCsv("0").replaceFirst("0", "-1"));

        CliRun cli = CliRun.run("render", csv.toString());

        assertEquals(ExitCodes.BAD_INPUT, cli.exitCode());
        assertEquals(
                "mnist-spark: " + csv + ": line 1, value 1: -1 is negative; grey values are 0-255 or 0-1",
                cli.err().trim());
        assertFalse(Files.exists(tmp.resolve("bad.png")));
    }

    @Test
    void renderSheet_sameSeedSameBytes_otherSeedOtherSheet() throws Exception {
        String run = PredictionFixtures.trainedRun().toString();
        Path first = tmp.resolve("sheet-a.png");
        Path again = tmp.resolve("sheet-b.png");
        Path other = tmp.resolve("sheet-c.png");

        CliRun cli = CliRun.run(
                "render", "--sheet", "--run", run, "--seed", "7", "--count", "6", "--output", first.toString());
        CliRun.run("render", "--sheet", "--run", run, "--seed", "7", "--count", "6", "--output", again.toString());
        CliRun.run("render", "--sheet", "--run", run, "--seed", "8", "--count", "6", "--output", other.toString());

        assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
        assertTrue(cli.out().contains("6 misclassified and 6 correct test digits"), cli.out());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(again));
        assertFalse(Arrays.equals(Files.readAllBytes(first), Files.readAllBytes(other)));
        BufferedImage sheet = ImageIO.read(first.toFile());
        // Five digits per row: two rows of misclassified, two of correct
        assertEquals(2 * DigitPictures.MARGIN + 5 * DigitPictures.CELL_WIDTH, sheet.getWidth());
        assertEquals(
                3 * DigitPictures.MARGIN + 2 * DigitPictures.HEADING_HEIGHT + 4 * DigitPictures.CELL_HEIGHT,
                sheet.getHeight());
    }

    @Test
    void renderSheet_withoutRun_isAUsageError() {
        CliRun cli =
                CliRun.run("render", "--sheet", "--output", tmp.resolve("s.png").toString());

        assertEquals(ExitCodes.USAGE, cli.exitCode(), cli.err());
        // picocli prints the message, then render's usage
        assertTrue(
                cli.err()
                        .startsWith(
                                "--sheet needs --run RUN_DIR and --output FILE, and no CSV" + System.lineSeparator()),
                cli.err());
        assertTrue(cli.err().contains("Usage: mnist-spark render"), cli.err());
        assertFalse(Files.exists(tmp.resolve("s.png")));
    }

    @Test
    void renderSheet_folderThatIsNotARun_isBadInput() {
        CliRun cli = CliRun.run(
                "render",
                "--sheet",
                "--run",
                tmp.toString(),
                "--output",
                tmp.resolve("s.png").toString());
        assertEquals(ExitCodes.BAD_INPUT, cli.exitCode());
        assertTrue(cli.err().contains("no predictions/ table"), cli.err());
    }
}
