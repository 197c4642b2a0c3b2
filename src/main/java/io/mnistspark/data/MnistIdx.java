package io.mnistspark.data;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The IDX format of the original MNIST files: big-endian headers, then unsigned bytes. Owns both reading and writing,
 * so the format lives in one place. Pure Java over streams; opening files (local, HDFS, S3, gzipped) is
 * {@link MnistFiles}' job.
 */
public final class MnistIdx {

    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    public static final int ROWS = 28;
    public static final int COLUMNS = 28;
    public static final int PIXELS = ROWS * COLUMNS;
    public static final int IMAGES_HEADER_BYTES = 16;
    public static final int LABELS_HEADER_BYTES = 8;
    public static final int CLASSES = 10;

    private MnistIdx() {}

    /** Reads and checks an images header (magic, 28x28); returns the image count it declares. */
    public static int readImagesHeader(InputStream in, String file) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int magic = readHeaderInt(data, file);
        if (magic != IMAGES_MAGIC) {
            throw new IdxFormatException(String.format(
                    "%s: not an IDX images file (magic number 0x%08X, expected 0x%08X)", file, magic, IMAGES_MAGIC));
        }
        int count = readCount(data, file);
        int rows = readHeaderInt(data, file);
        int columns = readHeaderInt(data, file);
        if (rows != ROWS || columns != COLUMNS) {
            throw new IdxFormatException(
                    String.format("%s: images are %dx%d, expected %dx%d", file, rows, columns, ROWS, COLUMNS));
        }
        return count;
    }

    /** Reads and checks a labels header; returns the label count it declares. */
    public static int readLabelsHeader(InputStream in, String file) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int magic = readHeaderInt(data, file);
        if (magic != LABELS_MAGIC) {
            throw new IdxFormatException(String.format(
                    "%s: not an IDX labels file (magic number 0x%08X, expected 0x%08X)", file, magic, LABELS_MAGIC));
        }
        return readCount(data, file);
    }

    /** Reads exactly {@code length} bytes or fails naming the file, so a truncated file never passes for a short one. */
    public static byte[] readFully(InputStream in, int length, String file) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IdxFormatException(String.format(
                    "%s: file is truncated (needed %d more bytes, found %d)", file, length, bytes.length));
        }
        return bytes;
    }

    /** Skips exactly {@code length} bytes (works on gzip streams too, where skip may return short). */
    public static void skipFully(InputStream in, long length, String file) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            long skipped = in.skip(remaining);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IdxFormatException(file + ": file is truncated (ended while skipping to a slice)");
                }
                skipped = 1;
            }
            remaining -= skipped;
        }
    }

    /** Fails unless every label is a digit; {@code firstIndex} is the position of {@code labels[0]} in the file. */
    public static void checkLabels(byte[] labels, long firstIndex, String file) {
        for (int i = 0; i < labels.length; i++) {
            int label = Byte.toUnsignedInt(labels[i]);
            if (label >= CLASSES) {
                throw new IdxFormatException(
                        String.format("%s: label %d at index %d is not a digit 0-9", file, label, firstIndex + i));
            }
        }
    }

    /** Writes an images file: {@code pixels} holds {@code count * 784} grey values, row-major. */
    public static void writeImages(OutputStream out, byte[] pixels) throws IOException {
        if (pixels.length % PIXELS != 0) {
            throw new IllegalArgumentException("pixel count " + pixels.length + " is not a multiple of " + PIXELS);
        }
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(IMAGES_MAGIC);
        data.writeInt(pixels.length / PIXELS);
        data.writeInt(ROWS);
        data.writeInt(COLUMNS);
        data.write(pixels);
        data.flush();
    }

    /** Writes a labels file, one byte per label. */
    public static void writeLabels(OutputStream out, byte[] labels) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(LABELS_MAGIC);
        data.writeInt(labels.length);
        data.write(labels);
        data.flush();
    }

    private static int readCount(DataInputStream data, String file) throws IOException {
        int count = readHeaderInt(data, file);
        if (count < 0) {
            throw new IdxFormatException(file + ": negative item count " + count);
        }
        return count;
    }

    private static int readHeaderInt(DataInputStream data, String file) throws IOException {
        try {
            return data.readInt();
        } catch (java.io.EOFException e) {
            throw new IdxFormatException(file + ": file is too short to hold an IDX header", e);
        }
    }
}
