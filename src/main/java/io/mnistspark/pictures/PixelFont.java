package io.mnistspark.pictures;

import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Map;

/**
 * A small bitmap font (5x7 cells, lower case, digits and a little punctuation) for the labels of the pictures, so they
 * come out the same pixel for pixel on every machine, with or without system fonts. Unknown characters print as '?'.
 */
final class PixelFont {

    static final int GLYPH_WIDTH = 5;
    /** Seven rows above the baseline, two below for descenders. */
    static final int GLYPH_HEIGHT = 9;

    static final int ADVANCE = GLYPH_WIDTH + 1;

    private static final Map<Character, String[]> GLYPHS = new HashMap<>();

    static {
        glyph('a', ".....", ".....", ".XXX.", "....X", ".XXXX", "X...X", ".XXXX");
        glyph('b', "X....", "X....", "XXXX.", "X...X", "X...X", "X...X", "XXXX.");
        glyph('c', ".....", ".....", ".XXX.", "X....", "X....", "X....", ".XXX.");
        glyph('d', "....X", "....X", ".XXXX", "X...X", "X...X", "X...X", ".XXXX");
        glyph('e', ".....", ".....", ".XXX.", "X...X", "XXXXX", "X....", ".XXX.");
        glyph('f', "..XX.", ".X...", "XXXX.", ".X...", ".X...", ".X...", ".X...");
        glyph('g', ".....", ".....", ".XXXX", "X...X", "X...X", ".XXXX", "....X", ".XXX.");
        glyph('h', "X....", "X....", "XXXX.", "X...X", "X...X", "X...X", "X...X");
        glyph('i', "..X..", ".....", ".XX..", "..X..", "..X..", "..X..", ".XXX.");
        glyph('j', "...X.", ".....", "..XX.", "...X.", "...X.", "...X.", "...X.", "XXX..");
        glyph('k', "X....", "X....", "X..X.", "X.X..", "XX...", "X.X..", "X..X.");
        glyph('l', ".XX..", "..X..", "..X..", "..X..", "..X..", "..X..", ".XXX.");
        glyph('m', ".....", ".....", "XX.X.", "X.X.X", "X.X.X", "X.X.X", "X.X.X");
        glyph('n', ".....", ".....", "XXXX.", "X...X", "X...X", "X...X", "X...X");
        glyph('o', ".....", ".....", ".XXX.", "X...X", "X...X", "X...X", ".XXX.");
        glyph('p', ".....", ".....", "XXXX.", "X...X", "X...X", "XXXX.", "X....", "X....");
        glyph('q', ".....", ".....", ".XXXX", "X...X", "X...X", ".XXXX", "....X", "....X");
        glyph('r', ".....", ".....", "X.XX.", "XX..X", "X....", "X....", "X....");
        glyph('s', ".....", ".....", ".XXXX", "X....", ".XXX.", "....X", "XXXX.");
        glyph('t', ".X...", ".X...", "XXXX.", ".X...", ".X...", ".X..X", "..XX.");
        glyph('u', ".....", ".....", "X...X", "X...X", "X...X", "X..XX", ".XX.X");
        glyph('v', ".....", ".....", "X...X", "X...X", "X...X", ".X.X.", "..X..");
        glyph('w', ".....", ".....", "X...X", "X...X", "X.X.X", "X.X.X", ".X.X.");
        glyph('x', ".....", ".....", "X...X", ".X.X.", "..X..", ".X.X.", "X...X");
        glyph('y', ".....", ".....", "X...X", "X...X", "X...X", ".XXXX", "....X", ".XXX.");
        glyph('z', ".....", ".....", "XXXXX", "...X.", "..X..", ".X...", "XXXXX");
        glyph('0', ".XXX.", "X...X", "X..XX", "X.X.X", "XX..X", "X...X", ".XXX.");
        glyph('1', "..X..", ".XX..", "..X..", "..X..", "..X..", "..X..", ".XXX.");
        glyph('2', ".XXX.", "X...X", "....X", "...X.", "..X..", ".X...", "XXXXX");
        glyph('3', "XXXXX", "...X.", "..X..", "...X.", "....X", "X...X", ".XXX.");
        glyph('4', "...X.", "..XX.", ".X.X.", "X..X.", "XXXXX", "...X.", "...X.");
        glyph('5', "XXXXX", "X....", "XXXX.", "....X", "....X", "X...X", ".XXX.");
        glyph('6', "..XX.", ".X...", "X....", "XXXX.", "X...X", "X...X", ".XXX.");
        glyph('7', "XXXXX", "....X", "...X.", "..X..", ".X...", ".X...", ".X...");
        glyph('8', ".XXX.", "X...X", "X...X", ".XXX.", "X...X", "X...X", ".XXX.");
        glyph('9', ".XXX.", "X...X", "X...X", ".XXXX", "....X", "...X.", ".XX..");
        glyph(' ', ".....");
        glyph(',', ".....", ".....", ".....", ".....", ".....", ".XX..", "..X..", ".X...");
        glyph('.', ".....", ".....", ".....", ".....", ".....", ".XX..", ".XX..");
        glyph(':', ".....", ".XX..", ".XX..", ".....", ".XX..", ".XX..", ".....");
        glyph('-', ".....", ".....", ".....", "XXXXX", ".....", ".....", ".....");
        glyph('/', "....X", "...X.", "...X.", "..X..", ".X...", ".X...", "X....");
        glyph('(', "...X.", "..X..", ".X...", ".X...", ".X...", "..X..", "...X.");
        glyph(')', ".X...", "..X..", "...X.", "...X.", "...X.", "..X..", ".X...");
        glyph('?', ".XXX.", "X...X", "....X", "...X.", "..X..", ".....", "..X..");
    }

    private PixelFont() {}

    private static void glyph(char c, String... rows) {
        GLYPHS.put(c, rows);
    }

    /** Width in pixels of {@code text} at {@code scale}, without the spacing after the last character. */
    static int width(String text, int scale) {
        return text.isEmpty() ? 0 : (text.length() * ADVANCE - 1) * scale;
    }

    static int height(int scale) {
        return GLYPH_HEIGHT * scale;
    }

    /** Draws {@code text} with its top-left corner at (x, y), each font pixel a {@code scale} x {@code scale} block. */
    static void draw(BufferedImage image, String text, int x, int y, int scale, int rgb) {
        for (int i = 0; i < text.length(); i++) {
            String[] rows = GLYPHS.getOrDefault(Character.toLowerCase(text.charAt(i)), GLYPHS.get('?'));
            int left = x + i * ADVANCE * scale;
            for (int row = 0; row < rows.length; row++) {
                for (int column = 0; column < GLYPH_WIDTH; column++) {
                    if (rows[row].charAt(column) == 'X') {
                        fill(image, left + column * scale, y + row * scale, scale, rgb);
                    }
                }
            }
        }
    }

    private static void fill(BufferedImage image, int x, int y, int size, int rgb) {
        for (int dy = 0; dy < size; dy++) {
            for (int dx = 0; dx < size; dx++) {
                if (x + dx < image.getWidth() && y + dy < image.getHeight()) {
                    image.setRGB(x + dx, y + dy, rgb);
                }
            }
        }
    }
}
