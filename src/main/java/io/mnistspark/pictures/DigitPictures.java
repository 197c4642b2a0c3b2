package io.mnistspark.pictures;

import io.mnistspark.data.MnistIdx;
import io.mnistspark.digits.DigitImage;
import io.mnistspark.evaluation.Prediction;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Pictures of digits for people: dark strokes on white, scaled up with square pixels. A single digit, or a contact
 * sheet of misclassified and correct test digits, each labelled "predicted P, actual A" (the reference notebook's two
 * plotting functions). Same input, same PNG bytes: labels use {@link PixelFont}, nothing depends on the machine.
 */
public final class DigitPictures {

    /** Screen pixels per digit pixel of a single digit: 28x28 becomes 280x280. */
    public static final int DEFAULT_SCALE = 10;
    /** Digits per row of a contact sheet. */
    public static final int SHEET_COLUMNS = 5;

    static final int SHEET_DIGIT_SCALE = 6;
    static final int LABEL_SCALE = 2;
    static final int HEADING_SCALE = 3;
    public static final int MARGIN = 16;
    public static final int CELL_WIDTH = 288;
    public static final int CELL_HEIGHT =
            MnistIdx.ROWS * SHEET_DIGIT_SCALE + 8 + PixelFont.GLYPH_HEIGHT * LABEL_SCALE + 14;
    public static final int HEADING_HEIGHT = PixelFont.GLYPH_HEIGHT * HEADING_SCALE + 12;

    private static final int WHITE = 0xFFFFFF;
    private static final int FRAME = 0xD0D0D0;
    private static final int HEADING = 0x202020;
    private static final int WRONG = 0xB00020;
    private static final int RIGHT = 0x1B5E20;

    private DigitPictures() {}

    /** One digit, {@code 28 * scale} pixels square. */
    public static BufferedImage digit(DigitImage digit, int scale) {
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be >= 1 but is " + scale);
        }
        BufferedImage image =
                new BufferedImage(MnistIdx.COLUMNS * scale, MnistIdx.ROWS * scale, BufferedImage.TYPE_BYTE_GRAY);
        drawDigit(image, digit.greyValues(), 0, 0, scale);
        return image;
    }

    /**
     * A contact sheet: a section of misclassified digits, then one of correct digits, {@link #SHEET_COLUMNS} per row,
     * each with its caption; the headings say how many of how many are shown.
     */
    public static BufferedImage sheet(
            List<Prediction> misclassified, int misclassifiedTotal, List<Prediction> correct, int correctTotal) {
        int columns = Math.max(1, Math.min(SHEET_COLUMNS, Math.max(misclassified.size(), correct.size())));
        int width = Math.max(
                2 * MARGIN + columns * CELL_WIDTH,
                2 * MARGIN
                        + PixelFont.width(
                                heading("misclassified", misclassifiedTotal, misclassifiedTotal), HEADING_SCALE));
        int height = MARGIN + sectionHeight(misclassified.size()) + MARGIN + sectionHeight(correct.size()) + MARGIN;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        fill(image, 0, 0, width, height, WHITE);
        int y = MARGIN;
        y = drawSection(
                image, heading("misclassified", misclassified.size(), misclassifiedTotal), misclassified, y, WRONG);
        drawSection(image, heading("correct", correct.size(), correctTotal), correct, y + MARGIN, RIGHT);
        return image;
    }

    /** PNG bytes of an image (ImageIO's PNG writer: no time stamps, so equal images give equal bytes). */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writePng(image, bytes);
        return bytes.toByteArray();
    }

    public static void writePng(BufferedImage image, OutputStream out) {
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("This JVM has no PNG writer");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String heading(String kind, int shown, int total) {
        return kind + ": " + shown + " of " + total;
    }

    private static int sectionHeight(int digits) {
        int rows = (digits + SHEET_COLUMNS - 1) / SHEET_COLUMNS;
        return HEADING_HEIGHT + Math.max(1, rows) * CELL_HEIGHT;
    }

    /** Draws a heading and the digits below it; returns the y just below the section. */
    private static int drawSection(BufferedImage image, String heading, List<Prediction> digits, int top, int rgb) {
        PixelFont.draw(image, heading, MARGIN, top, HEADING_SCALE, HEADING);
        int y = top + HEADING_HEIGHT;
        for (int i = 0; i < digits.size(); i++) {
            Prediction digit = digits.get(i);
            int cellX = MARGIN + (i % SHEET_COLUMNS) * CELL_WIDTH;
            int cellY = y + (i / SHEET_COLUMNS) * CELL_HEIGHT;
            int side = MnistIdx.COLUMNS * SHEET_DIGIT_SCALE;
            int digitX = cellX + (CELL_WIDTH - side) / 2;
            fill(image, digitX - 1, cellY - 1, side + 2, side + 2, FRAME);
            drawDigit(image, digit.pixels(), digitX, cellY, SHEET_DIGIT_SCALE);
            String caption = digit.caption();
            PixelFont.draw(
                    image,
                    caption,
                    cellX + (CELL_WIDTH - PixelFont.width(caption, LABEL_SCALE)) / 2,
                    cellY + side + 8,
                    LABEL_SCALE,
                    rgb);
        }
        return y + Math.max(1, (digits.size() + SHEET_COLUMNS - 1) / SHEET_COLUMNS) * CELL_HEIGHT;
    }

    private static void drawDigit(BufferedImage image, int[] grey, int x, int y, int scale) {
        for (int row = 0; row < MnistIdx.ROWS; row++) {
            for (int column = 0; column < MnistIdx.COLUMNS; column++) {
                int ink = 255 - Math.max(0, Math.min(255, grey[row * MnistIdx.COLUMNS + column]));
                fill(image, x + column * scale, y + row * scale, scale, scale, ink << 16 | ink << 8 | ink);
            }
        }
    }

    private static void fill(BufferedImage image, int x, int y, int width, int height, int rgb) {
        boolean grey = image.getType() == BufferedImage.TYPE_BYTE_GRAY; // setRGB would gamma-convert grey values
        for (int dy = 0; dy < height; dy++) {
            for (int dx = 0; dx < width; dx++) {
                if (grey) {
                    image.getRaster().setSample(x + dx, y + dy, 0, rgb & 0xFF);
                } else {
                    image.setRGB(x + dx, y + dy, rgb);
                }
            }
        }
    }
}
