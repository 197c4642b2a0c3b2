package io.mnistspark.digits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DigitCsvTest {

    private static final String FILE = "digit.csv";

    /** Rows of 28 values: row r, column c holds (r * 28 + c) % 256. */
    private static List<String[]> greyRows() {
        List<String[]> rows = new ArrayList<>();
        for (int r = 0; r < 28; r++) {
            String[] row = new String[28];
            for (int c = 0; c < 28; c++) {
                row[c] = String.valueOf((r * 28 + c) % 256);
            }
            rows.add(row);
        }
        return rows;
    }

    private static String csv(List<String[]> rows) {
        StringBuilder text = new StringBuilder();
        rows.forEach(row -> text.append(String.join(",", row)).append('\n'));
        return text.toString();
    }

    private static String messageOf(String text) {
        return assertThrows(DigitCsvException.class, () -> DigitCsv.parse(FILE, text))
                .getMessage();
    }

    @Test
    void parse_greyIntegers_dividesBy255() {
        DigitImage digit = DigitCsv.parse(FILE, csv(greyRows()));
        assertEquals(DigitImage.Scale.GREY_255, digit.scale());
        assertEquals(0f, digit.value(0, 0));
        assertEquals(255f / 255f, digit.value(9, 3)); // 9 * 28 + 3 = 255
        assertEquals(100f / 255f, digit.value(3, 16)); // 3 * 28 + 16 = 100, as Slice scales it
    }

    @Test
    void parse_greyDecimals_dividesBy255() {
        List<String[]> rows = greyRows();
        rows.get(0)[0] = "127.5";
        rows.get(0)[1] = "0.5";
        DigitImage digit = DigitCsv.parse(FILE, csv(rows));
        assertEquals(DigitImage.Scale.GREY_255, digit.scale());
        assertEquals(127.5f / 255f, digit.value(0, 0), 1e-7);
        assertEquals(0.5f / 255f, digit.value(0, 1), 1e-7);
    }

    @Test
    void parse_valuesAllAtMostOne_areTakenAsUnitScale() {
        List<String[]> rows = greyRows();
        rows.forEach(row -> Arrays.setAll(row, c -> c % 3 == 0 ? "0.25" : c % 3 == 1 ? "1" : "0"));
        DigitImage digit = DigitCsv.parse(FILE, csv(rows));
        assertEquals(DigitImage.Scale.UNIT, digit.scale());
        assertEquals(0.25f, digit.value(5, 0));
        assertEquals(1f, digit.value(5, 1));
    }

    @Test
    void parse_oneValueJustOverOne_makesTheWholeGridGrey255() {
        List<String[]> rows = greyRows();
        rows.forEach(row -> Arrays.fill(row, "1"));
        rows.get(27)[27] = "1.5";
        DigitImage digit = DigitCsv.parse(FILE, csv(rows));
        assertEquals(DigitImage.Scale.GREY_255, digit.scale());
        assertEquals(1f / 255f, digit.value(0, 0));
    }

    @Test
    void parse_toleratesBomCrLfSpacesExponentsAndTrailingBlankLines() {
        List<String[]> rows = greyRows();
        rows.get(1)[2] = " 1e2 ";
        rows.get(1)[3] = "+.5";
        String text = "\uFEFF" + csv(rows).replace("\n", "\r\n") + "\r\n  \n\n";
        DigitImage digit = DigitCsv.parse(FILE, text);
        assertEquals(100f / 255f, digit.value(1, 2));
        assertEquals(0.5f / 255f, digit.value(1, 3));
    }

    @Test
    void parse_lastLineWithoutNewline_isFine() {
        String text = csv(greyRows());
        assertEquals(
                DigitImage.Scale.GREY_255,
                DigitCsv.parse(FILE, text.substring(0, text.length() - 1)).scale());
    }

    @Test
    void write_thenParse_givesTheSameValuesInBothScales() {
        int[] grey = new int[784];
        Arrays.setAll(grey, p -> (p * 7) % 256);
        DigitImage digit = DigitImage.fromGrey(grey);
        DigitImage fromGrey = DigitCsv.parse(FILE, DigitCsv.write(digit, DigitImage.Scale.GREY_255));
        DigitImage fromUnit = DigitCsv.parse(FILE, DigitCsv.write(digit, DigitImage.Scale.UNIT));
        assertArrayEquals(digit.values(), fromGrey.values());
        assertArrayEquals(digit.values(), fromUnit.values());
        assertEquals(DigitImage.Scale.UNIT, fromUnit.scale());
        assertArrayEquals(grey, fromUnit.greyValues());
    }

    @Test
    void rejectsEmptyFile() {
        assertEquals(
                "digit.csv: line 1: file is empty; a digit CSV is 28 lines of 28 comma-separated numbers",
                messageOf("\n\n"));
    }

    @Test
    void rejectsTooFewRows_namingTheFirstMissingLine() {
        List<String[]> rows = greyRows().subList(0, 27);
        assertEquals(
                "digit.csv: line 28: missing; the file ends after 27 lines, a digit CSV has 28", messageOf(csv(rows)));
    }

    @Test
    void rejectsTooManyRows_namingTheFirstExtraLine() {
        List<String[]> rows = new ArrayList<>(greyRows());
        rows.add(rows.get(0));
        assertTrue(messageOf(csv(rows)).startsWith("digit.csv: line 29: more than 28 lines (found 29)"));
    }

    @Test
    void rejectsBlankLineBetweenRows() {
        String text = csv(greyRows());
        int secondLine = text.indexOf('\n') + 1;
        assertTrue(messageOf(text.substring(0, secondLine) + "\n" + text.substring(secondLine))
                .startsWith("digit.csv: line 2: empty line"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"27 | digit.csv: line 5: 27 values, expected 28", "29 | digit.csv: line 5: 29 values, expected 28"
            })
    void rejectsWrongNumberOfValuesInARow(int values, String message) {
        List<String[]> rows = greyRows();
        rows.set(4, Arrays.copyOf(rows.get(4), values));
        Arrays.setAll(rows.get(4), c -> "0");
        assertEquals(message, messageOf(csv(rows)));
    }

    @Test
    void rejectsSemicolonSeparatedValues_withAHint() {
        String text = csv(greyRows()).replace(',', ';');
        assertEquals("digit.csv: line 1: 1 value, expected 28 (values must be separated by commas)", messageOf(text));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "abc      | digit.csv: line 3, value 7: 'abc' is not a number",
                "0x1F     | digit.csv: line 3, value 7: '0x1F' is not a number",
                "12f      | digit.csv: line 3, value 7: '12f' is not a number",
                "NaN      | digit.csv: line 3, value 7: NaN is not a grey value",
                "-nan     | digit.csv: line 3, value 7: NaN is not a grey value",
                "Infinity | digit.csv: line 3, value 7: Infinity is not a grey value",
                "-inf     | digit.csv: line 3, value 7: Infinity is not a grey value",
                "-1       | digit.csv: line 3, value 7: -1 is negative; grey values are 0-255 or 0-1",
                "-0.25    | digit.csv: line 3, value 7: -0.25 is negative; grey values are 0-255 or 0-1",
                "256      | digit.csv: line 3, value 7: 256 is over 255; grey values are 0-255 or 0-1",
                "255.01   | digit.csv: line 3, value 7: 255.01 is over 255; grey values are 0-255 or 0-1",
                "1e999    | digit.csv: line 3, value 7: 1e999 is over 255; grey values are 0-255 or 0-1"
            })
    void rejectsValuesThatAreNotGreyLevels(String value, String message) {
        List<String[]> rows = greyRows();
        rows.get(2)[6] = value;
        assertEquals(message, messageOf(csv(rows)));
    }

    @Test
    void rejectsEmptyValue() {
        List<String[]> rows = greyRows();
        rows.get(10)[0] = " ";
        assertEquals("digit.csv: line 11, value 1: empty value", messageOf(csv(rows)));
    }

    @Test
    void rejectsBytesThatAreNotUtf8() {
        byte[] bytes = {(byte) 0x89, 'P', 'N', 'G', (byte) 0xFF, (byte) 0xFE};
        DigitCsvException e = assertThrows(DigitCsvException.class, () -> DigitCsv.parse(FILE, bytes));
        assertTrue(e.getMessage().startsWith("digit.csv: line 1: not a text file (not UTF-8)"), e.getMessage());
    }

    @Test
    void read_rejectsFilesOverTheLimitWithoutReadingThemWhole() {
        byte[] huge = new byte[DigitCsv.MAX_BYTES + 1];
        Arrays.fill(huge, (byte) '1');
        DigitCsvException e =
                assertThrows(DigitCsvException.class, () -> DigitCsv.read(FILE, new ByteArrayInputStream(huge)));
        assertEquals(
                "digit.csv: line 1: file is larger than 64 KiB; a digit CSV is 28 lines of 28 values", e.getMessage());
    }

    @Test
    void read_acceptsAFileAtTheLimit() throws Exception {
        String text = csv(greyRows());
        byte[] bytes = (text + " ".repeat(DigitCsv.MAX_BYTES - text.length())).getBytes(StandardCharsets.UTF_8);
        assertEquals(DigitCsv.MAX_BYTES, bytes.length);
        assertEquals(
                DigitImage.Scale.GREY_255,
                DigitCsv.read(FILE, new ByteArrayInputStream(bytes)).scale());
    }
}
