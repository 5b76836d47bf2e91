package org.scalelab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What produced a result: the analysis, its inputs with content hashes, its options, its seed and
 * the ScaleLab version (Tribuo-style provenance). Every stored result carries one.
 */
public record Provenance(
        String analysis,
        List<Input> inputs,
        Map<String, Object> options,
        Long seed,
        String version,
        String createdAt) {

    /** One input: a file path or a store query, and the SHA-256 of its content (or of the query's rows). */
    public record Input(String source, String sha256, long rows) {}

    public Provenance {
        inputs = List.copyOf(inputs);
        options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    public static Provenance of(String analysis, List<Input> inputs, Map<String, Object> options, Long seed) {
        return new Provenance(analysis, inputs, options, seed, scalelabVersion(), Instant.now().toString());
    }

    /** The same provenance with one more option, e.g. {@code incomplete_inputs} when a command read unfinished data. */
    public Provenance withOption(String key, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(options);
        more.put(key, value);
        return new Provenance(analysis, inputs, more, seed, version, createdAt);
    }

    private static volatile String cachedVersion;

    /** ScaleLab's version, from the build (resource filtered by Maven). */
    public static String scalelabVersion() {
        String v = cachedVersion;
        if (v == null) {
            Properties p = new Properties();
            try (InputStream in = Provenance.class.getResourceAsStream("/org/scalelab/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown": a missing version must not stop an analysis
            }
            v = p.getProperty("version", "unknown");
            cachedVersion = v;
        }
        return v;
    }

    /** SHA-256 of a file's bytes, streamed (works for files larger than memory). */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of a string (used for store queries and in-memory data). */
    public static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
