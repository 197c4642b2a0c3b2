package io.mnistspark.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnistspark.testing.TestData;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MnistFilesTest {

    private static final Configuration CONF = new Configuration();
    private static final int COUNT = 25;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void inspect_validFiles_reportsCountAndContentHash(boolean gzip) throws IOException {
        writeSplit(dir, gzip);

        MnistFiles.SplitSummary summary = MnistFiles.inspect(MnistFiles.locate(dir.toString(), Split.TEST, CONF), CONF);

        assertEquals(COUNT, summary.count());
        assertTrue(summary.files().images().endsWith(gzip ? ".gz" : "ubyte"));
        assertEquals(64, summary.imagesSha256().length());
    }

    @Test
    void inspect_gzippedAndPlainCopies_haveTheSameContentHash() throws IOException {
        Path plain = Files.createDirectory(dir.resolve("plain"));
        Path gz = Files.createDirectory(dir.resolve("gz"));
        writeSplit(plain, false);
        writeSplit(gz, true);

        var a = MnistFiles.inspect(MnistFiles.locate(plain.toString(), Split.TEST, CONF), CONF);
        var b = MnistFiles.inspect(MnistFiles.locate(gz.toString(), Split.TEST, CONF), CONF);

        assertEquals(a.imagesSha256(), b.imagesSha256());
        assertEquals(a.labelsSha256(), b.labelsSha256());
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readSlice_middleOfFile_returnsThoseImagesAndLabels(boolean gzip) throws IOException {
        writeSplit(dir, gzip);
        MnistFiles.SplitFiles files = MnistFiles.locate(dir.toString(), Split.TEST, CONF);

        Slice slice = MnistFiles.readSlice(files, 7, 5, CONF);

        assertEquals(7, slice.firstIndex());
        assertEquals(5, slice.size());
        for (int i = 0; i < 5; i++) {
            assertEquals((7 + i) % 10, slice.label(i));
            int[] expected = new int[MnistIdx.PIXELS];
            Arrays.fill(expected, 7 + i);
            assertArrayEquals(expected, slice.greyValues(i));
        }
    }

    @Test
    void locate_missingFile_namesTheFileAndFolder() {
        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> MnistFiles.locate(dir.toString(), Split.TRAIN, CONF));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void inspect_imagesFileWithWrongMagic_isRejected() throws IOException {
        writeSplit(dir, false);
        Path images = dir.resolve(Split.TEST.imagesFile());
        byte[] bytes = Files.readAllBytes(images);
        bytes[3] = 0x01; // 0x00000801 is the labels magic
        Files.write(images, bytes);

        assertRejected("magic number 0x00000801");
    }

    @Test
    void inspect_imagesOfWrongSize_areRejected() throws IOException {
        writeSplit(dir, false);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(Split.TEST.imagesFile())))) {
            out.writeInt(MnistIdx.IMAGES_MAGIC);
            out.writeInt(COUNT);
            out.writeInt(32);
            out.writeInt(32);
            out.write(new byte[COUNT * 32 * 32]);
        }

        assertRejected("32x32, expected 28x28");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void inspect_truncatedImagesFile_isRejected(boolean gzip) throws IOException {
        byte[] pixels = TestData.syntheticPixels(COUNT);
        TestData.writeImages(imagesPath(gzip), pixels, gzip);
        // Header says COUNT images but one image's bytes are missing
        try (OutputStream out = gzip
                ? new java.util.zip.GZIPOutputStream(Files.newOutputStream(imagesPath(true)))
                : Files.newOutputStream(imagesPath(false))) {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(MnistIdx.IMAGES_MAGIC);
            data.writeInt(COUNT);
            data.writeInt(28);
            data.writeInt(28);
            data.write(pixels, 0, pixels.length - MnistIdx.PIXELS);
            data.flush();
        }
        TestData.writeLabels(labelsPath(gzip), TestData.syntheticLabels(COUNT), gzip);

        assertRejected("truncated");
    }

    @Test
    void inspect_trailingBytesAfterImages_areRejected() throws IOException {
        writeSplit(dir, false);
        Files.write(
                dir.resolve(Split.TEST.imagesFile()), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

        assertRejected("3 unexpected bytes");
    }

    @Test
    void inspect_fewerLabelsThanImages_isRejected() throws IOException {
        TestData.writeImages(imagesPath(false), TestData.syntheticPixels(COUNT), false);
        TestData.writeLabels(labelsPath(false), TestData.syntheticLabels(COUNT - 1), false);

        assertRejected("holds 25 images but");
    }

    @Test
    void inspect_labelThatIsNotADigit_isRejected() throws IOException {
        TestData.writeImages(imagesPath(false), TestData.syntheticPixels(COUNT), false);
        byte[] labels = TestData.syntheticLabels(COUNT);
        labels[12] = 11;
        TestData.writeLabels(labelsPath(false), labels, false);

        assertRejected("label 11 at index 12");
    }

    @Test
    void inspect_fileShorterThanAHeader_isRejected() throws IOException {
        writeSplit(dir, false);
        Files.write(dir.resolve(Split.TEST.labelsFile()), new byte[] {0, 0, 8});

        assertRejected("too short to hold an IDX header");
    }

    private void assertRejected(String expectedFragment) {
        IdxFormatException e = assertThrows(
                IdxFormatException.class,
                () -> MnistFiles.inspect(MnistFiles.locate(dir.toString(), Split.TEST, CONF), CONF));
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
        assertTrue(e.getMessage().contains("t10k-"), "message names the file: " + e.getMessage());
    }

    private void writeSplit(Path folder, boolean gzip) throws IOException {
        TestData.writeImages(
                folder.resolve(Split.TEST.imagesFile() + (gzip ? ".gz" : "")), TestData.syntheticPixels(COUNT), gzip);
        TestData.writeLabels(
                folder.resolve(Split.TEST.labelsFile() + (gzip ? ".gz" : "")), TestData.syntheticLabels(COUNT), gzip);
    }

    private Path imagesPath(boolean gzip) {
        return dir.resolve(Split.TEST.imagesFile() + (gzip ? ".gz" : ""));
    }

    private Path labelsPath(boolean gzip) {
        return dir.resolve(Split.TEST.labelsFile() + (gzip ? ".gz" : ""));
    }
}
