package io.mnistspark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mnistspark.testing.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFetcherTest {

    @TempDir
    Path work;

    private final List<String> log = new ArrayList<>();
    private final MnistFetcher fetcher = new MnistFetcher(log::add);

    @Test
    void fetch_fromAFolderOfGzippedFiles_storesVerifiedPlainFiles() throws IOException {
        Path gz = work.resolve("gz");
        TestData.gzipCopy(TestData.mnist(), gz);
        Path target = work.resolve("data");

        fetcher.fetch(gz.toString(), target);

        assertTrue(MnistFetcher.isComplete(target));
        assertEquals(
                Files.size(TestData.mnist().resolve(Split.TEST.imagesFile())),
                Files.size(target.resolve(Split.TEST.imagesFile())));
    }

    @Test
    void fetch_fromAnHttpBaseUrl_triesGzipThenPlain() throws IOException {
        Path gz = work.resolve("served");
        TestData.gzipCopy(TestData.mnist(), gz);
        @SuppressWarnings("AddressSelection") // an IPv4 literal, nothing to resolve; the fetch URL names 127.0.0.1
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/mnist/", exchange -> {
            Path file = gz.resolve(
                    Path.of(exchange.getRequestURI().getPath()).getFileName().toString());
            if (!Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        });
        server.start();
        try {
            Path target = work.resolve("data");
            fetcher.fetch("http://127.0.0.1:" + server.getAddress().getPort() + "/mnist", target);
            assertTrue(MnistFetcher.isComplete(target));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void fetch_fileWithWrongChecksum_isRefusedAndNotWritten() throws IOException {
        Path source = Files.createDirectories(work.resolve("tampered"));
        for (String name : MnistFetcher.SHA256.keySet()) {
            Files.copy(TestData.mnist().resolve(name), source.resolve(name));
        }
        byte[] labels = Files.readAllBytes(source.resolve(Split.TEST.labelsFile()));
        labels[100] = (byte) ((labels[100] + 1) % 10);
        Files.write(source.resolve(Split.TEST.labelsFile()), labels);
        Path target = work.resolve("data");

        IdxFormatException e = assertThrows(IdxFormatException.class, () -> fetcher.fetch(source.toString(), target));

        assertTrue(e.getMessage().contains(Split.TEST.labelsFile()), e.getMessage());
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertFalse(Files.exists(target.resolve(Split.TEST.labelsFile())));
    }

    @Test
    void fetch_whenAlreadyComplete_downloadsNothing() throws IOException {
        fetcher.fetch("/nonexistent/source/never/read", TestData.mnist());

        assertTrue(log.get(0).contains("already present and verified"), log.toString());
    }

    @Test
    void fetch_sourceMissingAFile_namesIt() throws IOException {
        Path partial = Files.createDirectories(work.resolve("partial"));
        Files.copy(TestData.mnist().resolve(Split.TRAIN.imagesFile()), partial.resolve(Split.TRAIN.imagesFile()));

        IdxFormatException e =
                assertThrows(IdxFormatException.class, () -> fetcher.fetch(partial.toString(), work.resolve("data")));

        assertTrue(e.getMessage().contains(Split.TEST.labelsFile()), e.getMessage());
    }
}
