package io.mnistspark.digits;

import io.mnistspark.data.MnistIdx;
import io.mnistspark.data.Slice;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The digit CSV a person writes: 28 lines of 28 comma-separated grey values, no header, as the reference notebook read
 * it. Owns both reading and writing. Pure Java: no Spark, no files (callers open them).
 *
 * <p><b>Scale rule.</b> A file holds grey levels 0-255 (integers or not) or values already scaled to 0-1, and the
 * values decide which, per file: if any value is above 1, the whole grid is 0-255 and every value is divided by 255;
 * otherwise the grid is already 0-1 and is taken as it stands. (So a 0-255 file whose values are all 0 or 1, an almost
 * black picture, reads as 0-1.)
 *
 * <p><b>Accepted.</b> Decimal numbers such as {@code 0}, {@code 17}, {@code 254.5}, {@code 0.25}, {@code .5} or
 * {@code 1e-3}, with spaces around them; Windows line ends; a UTF-8 byte-order mark; blank lines after the last row.
 * <b>Rejected</b>, with a message naming the file, the 1-based line and the problem: a wrong number of rows or of
 * values in a row, blank lines between rows, text, NaN, Infinity, negative values, values over 255, files larger than
 * {@link #MAX_BYTES} and files that are not UTF-8 text.
 */
public final class DigitCsv {

    /** Rows and values per row. */
    public static final int ROWS = MnistIdx.ROWS;

    public static final int COLUMNS = MnistIdx.COLUMNS;
    /** Largest grey level of the 0-255 scale. */
    public static final double MAX_GREY = Slice.MAX_GREY;
    /** Far more than any 28x28 grid needs (784 values of 80 characters each), small enough to read whole. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NAN = Pattern.compile("[+-]?nan", Pattern.CASE_INSENSITIVE);
    private static final Pattern INFINITY = Pattern.compile("[+-]?inf(inity)?", Pattern.CASE_INSENSITIVE);
    private static final char BYTE_ORDER_MARK = '\uFEFF';
    private static final int SHOWN_TEXT = 24;

    private DigitCsv() {}

    /** Reads and parses a file's bytes; fails on files over {@link #MAX_BYTES} without reading further. */
    public static DigitImage read(String file, InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw new DigitCsvException(String.format(
                    "%s: line 1: file is larger than %d KiB; a digit CSV is 28 lines " + "of 28 values",
                    file, MAX_BYTES / 1024));
        }
        return parse(file, bytes);
    }

    /** Parses a file's bytes, which must be UTF-8 text. */
    public static DigitImage parse(String file, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new DigitCsvException(file + ": line 1: not a text file (not UTF-8); a digit CSV is 28 lines of 28 "
                    + "comma-separated numbers");
        }
        return parse(file, text);
    }

    /** Parses the text of a digit CSV; {@code file} names it in messages. */
    public static DigitImage parse(String file, String text) {
        String[] lines =
                (text.isEmpty() || text.charAt(0) != BYTE_ORDER_MARK ? text : text.substring(1)).split("\n", -1);
        int lastRow = lines.length - 1;
        while (lastRow >= 0 && lines[lastRow].isBlank()) {
            lastRow--; // blank lines at the end are tolerated
        }
        if (lastRow < 0) {
            throw problem(file, 1, "file is empty; a digit CSV is 28 lines of 28 comma-separated numbers");
        }
        double[] values = new double[ROWS * COLUMNS];
        boolean over1 = false;
        for (int row = 0; row <= lastRow; row++) {
            int line = row + 1;
            if (row >= ROWS) {
                throw problem(
                        file,
                        line,
                        String.format(
                                "more than %d lines (found %d); a digit CSV is %d lines of %d " + "values",
                                ROWS, lastRow + 1, ROWS, COLUMNS));
            }
            String content = stripCarriageReturn(lines[row]);
            if (content.isBlank()) {
                throw problem(file, line, "empty line; a digit CSV is 28 lines of 28 values with no gaps");
            }
            String[] cells = content.split(",", -1);
            if (cells.length != COLUMNS) {
                throw problem(
                        file,
                        line,
                        String.format(
                                "%d value%s, expected %d%s",
                                cells.length, cells.length == 1 ? "" : "s", COLUMNS, separatorHint(content)));
            }
            for (int column = 0; column < COLUMNS; column++) {
                double value = parseValue(file, line, column + 1, cells[column].strip());
                values[row * COLUMNS + column] = value;
                over1 |= value > 1;
            }
        }
        if (lastRow + 1 < ROWS) {
            throw problem(
                    file,
                    lastRow + 2,
                    String.format(
                            "missing; the file ends after %d line%s, a digit CSV has %d",
                            lastRow + 1, lastRow == 0 ? "" : "s", ROWS));
        }
        return toImage(values, over1 ? DigitImage.Scale.GREY_255 : DigitImage.Scale.UNIT);
    }

    /** Writes a digit as CSV text: grey levels as integers for 0-255, exact decimals for 0-1. */
    public static String write(DigitImage digit, DigitImage.Scale scale) {
        int[] grey = digit.greyValues();
        StringBuilder csv = new StringBuilder(ROWS * COLUMNS * 4);
        for (int row = 0; row < ROWS; row++) {
            for (int column = 0; column < COLUMNS; column++) {
                int p = row * COLUMNS + column;
                if (column > 0) {
                    csv.append(',');
                }
                csv.append(
                        scale == DigitImage.Scale.GREY_255
                                ? Integer.toString(grey[p])
                                : Float.toString(digit.values()[p]));
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    private static double parseValue(String file, int line, int column, String cell) {
        if (cell.isEmpty()) {
            throw problem(file, line, column, "empty value");
        }
        if (NAN.matcher(cell).matches()) {
            throw problem(file, line, column, "NaN is not a grey value");
        }
        if (INFINITY.matcher(cell).matches()) {
            throw problem(file, line, column, "Infinity is not a grey value");
        }
        if (!NUMBER.matcher(cell).matches()) {
            throw problem(file, line, column, "'" + shorten(cell) + "' is not a number");
        }
        double value = Double.parseDouble(cell);
        if (value < 0) {
            throw problem(file, line, column, shorten(cell) + " is negative; grey values are 0-255 or 0-1");
        }
        if (value > MAX_GREY) {
            throw problem(file, line, column, shorten(cell) + " is over 255; grey values are 0-255 or 0-1");
        }
        return value;
    }

    private static DigitImage toImage(double[] values, DigitImage.Scale scale) {
        float[] scaled = new float[values.length];
        for (int p = 0; p < values.length; p++) {
            // Same float arithmetic as Slice.features(), so a CSV cut from MNIST scores exactly like the IDX image
            float value = (float) values[p];
            scaled[p] = scale == DigitImage.Scale.GREY_255 ? value / (float) MAX_GREY : value;
        }
        return new DigitImage(scaled, scale);
    }

    private static String separatorHint(String content) {
        if (content.indexOf(';') >= 0
                || content.indexOf('\t') >= 0
                || (content.indexOf(',') < 0 && content.strip().contains(" "))) {
            return " (values must be separated by commas)";
        }
        return "";
    }

    private static String stripCarriageReturn(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= SHOWN_TEXT ? oneLine : oneLine.substring(0, SHOWN_TEXT) + "…";
    }

    private static DigitCsvException problem(String file, int line, String what) {
        return new DigitCsvException(file + ": line " + line + ": " + what);
    }

    private static DigitCsvException problem(String file, int line, int column, String what) {
        return new DigitCsvException(String.format(Locale.ROOT, "%s: line %d, value %d: %s", file, line, column, what));
    }
}
