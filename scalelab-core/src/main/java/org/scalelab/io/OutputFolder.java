package org.scalelab.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.scalelab.InputException;
import org.scalelab.ScaleLabException;

/**
 * The one place that decides where a command may write a folder or file the user named
 * ({@code --out}), and that writes it without ever destroying what the user made.
 *
 * <p>The rules:
 * <ul>
 *   <li>A folder output is assembled in a hidden temporary sibling ({@code .name.tmp-<random>}, same
 *       parent, so the final rename is atomic) and renamed into place when complete: an interrupted
 *       or failed command leaves neither a half-written output nor a new empty folder.</li>
 *   <li>Every folder output that may later be replaced gets a marker file, {@value #MARKER},
 *       naming its kind (e.g. {@code report}) and listing every file and folder written into it.</li>
 *   <li>The target may be missing, an empty folder, or (when the kind allows replacing) a folder
 *       holding a previous output of the same kind and nothing else: every entry listed in its
 *       marker. Anything else is refused with exit code 2, naming what is there.</li>
 *   <li>Replacing swaps: the old output is renamed aside, the new one renamed in, and only then is
 *       the old one (ours, as its marker proves) deleted; if the second rename fails the old one is
 *       put back.</li>
 *   <li>Never a valid target: a regular file, a symbolic link, the lab folder or any folder that
 *       contains it, a folder holding a lab store ({@value #STORE_FILE}).</li>
 * </ul>
 */
public final class OutputFolder {
    /** Marker file in every folder output: first line {@code scalelab <kind>}, then one written path per line. */
    public static final String MARKER = ".scalelab-output";

    /** The lab store's file name, as in {@code store.LabStore.FILE_NAME} (io sits below store): a folder holding it is a lab. */
    static final String STORE_FILE = "scalelab.duckdb";

    private static final SecureRandom RANDOM = new SecureRandom();

    private OutputFolder() {}

    /** Fills a staging folder with an output's files. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path staging) throws IOException;
    }

    /**
     * Writes a folder output: checks {@code target}, fills a temporary sibling with {@code contents},
     * marks it and moves it into place. A failure leaves {@code target} as it was.
     *
     * @param option    how the user named the target, for messages (e.g. {@code --out})
     * @param lab       the lab folder in use, or null when the command has none
     * @param kind      what is written (e.g. {@code report}); a previous output of this kind may be replaced
     * @return the absolute target
     */
    public static Path write(String option, Path target, Path lab, String kind, Contents contents) {
        check(option, target, lab, kind);
        Path staging = stage(target);
        try {
            contents.writeTo(staging);
            return publish(option, staging, target, lab, kind);
        } catch (IOException e) {
            discard(staging);
            throw new ScaleLabException(option + " " + target + ": cannot write: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            discard(staging);
            throw e;
        }
    }

    /**
     * Refuses a target that must not receive an output of {@code kind} (see the class rules);
     * {@code kind} null means the target must be missing or an empty folder.
     */
    public static void check(String option, Path target, Path lab, String kind) {
        Path t = checkNotLab(option, target, lab);
        if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
            throw new InputException(option + " " + target + ": is a file, not a folder; choose a folder name (ScaleLab never replaces a file with a folder)");
        }
        List<String> foreign = foreignEntries(t, kind);
        if (foreign.isEmpty()) {
            return;
        }
        String what = foreign.size() == 1 ? foreign.get(0) : foreign.get(0) + " and " + (foreign.size() - 1) + " more";
        String replaceable = kind == null ? "a new or empty folder" : "a new or empty folder, or over a previous ScaleLab " + kind;
        throw new InputException(option + " " + target + ": holds " + what + ", which ScaleLab did not write there; it writes only to "
                + replaceable + ". Choose another folder, or move its contents away yourself");
    }

    /**
     * The checks every output shares, for folders and files alike: not a symbolic link, not the
     * lab folder or a folder containing it, not a folder holding a store, not the store file.
     * Returns the absolute, normalised target.
     */
    public static Path checkNotLab(String option, Path target, Path lab) {
        Path t = target.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(t)) {
            throw new InputException(option + " " + target + ": is a symbolic link; give the folder or file itself");
        }
        if (t.getFileName() != null && t.getFileName().toString().equals(STORE_FILE)) {
            throw new InputException(option + " " + target + ": is a lab store; choose another output");
        }
        if (lab != null) {
            Path l = real(lab.toAbsolutePath().normalize());
            Path r = real(t);
            if (l.startsWith(r)) {
                throw new InputException(option + " " + target + ": is " + (l.equals(r) ? "the lab folder" : "a folder that contains the lab folder " + lab)
                        + "; write outputs to a folder of their own (e.g. " + lab.resolve("reports").resolve("name") + ")");
            }
        }
        if (Files.exists(t.resolve(STORE_FILE), LinkOption.NOFOLLOW_LINKS)) {
            throw new InputException(option + " " + target + ": is a lab folder (it holds " + STORE_FILE + "); write outputs to a folder of their own");
        }
        return t;
    }

    /**
     * Checks a single-file output: never a folder, a link, the store or inside nothing writable;
     * an existing file is replaced only when {@code replace} (the user said so, e.g. {@code --force}).
     */
    public static Path checkFile(String option, Path target, Path lab, boolean replace, String replaceOption) {
        Path t = checkNotLab(option, target, lab);
        if (Files.isDirectory(t)) {
            throw new InputException(option + " " + target + ": is a folder; give a file name");
        }
        if (Files.exists(t, LinkOption.NOFOLLOW_LINKS) && !replace) {
            throw new InputException(option + " " + target + ": exists; choose another name, or add " + replaceOption + " to replace it");
        }
        return t;
    }

    /** A fresh hidden folder next to {@code target} (its parent is created if missing). */
    public static Path stage(Path target) {
        Path t = target.toAbsolutePath().normalize();
        try {
            Files.createDirectories(t.getParent());
            return Files.createDirectory(sibling(t, "tmp"));
        } catch (IOException e) {
            throw new ScaleLabException("cannot create a folder next to " + t + ": " + e.getMessage(), e);
        }
    }

    /** Deletes an unfinished staging folder (best effort: a leftover hidden folder is harmless). */
    public static void discard(Path staging) {
        if (staging != null) {
            try {
                deleteTree(staging);
            } catch (IOException | UncheckedIOException e) {
                // nothing more to do: the folder is hidden (dot-prefixed) and never taken for an output
            }
        }
    }

    /**
     * Marks a finished staging folder as an output of {@code kind} and moves it to {@code target},
     * replacing a previous output of that kind as a whole. The target is checked again first. With
     * {@code kind} null the folder gets no marker and replaces nothing (e.g. a checkpoint, which
     * keeps the plain Hugging Face layout).
     */
    public static Path publish(String option, Path staging, Path target, Path lab, String kind) {
        Path t = target.toAbsolutePath().normalize();
        try {
            if (kind != null) {
                writeMarker(staging, kind);
            }
            check(option, target, lab, kind);
            if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS) || isEmptyFolder(t)) {
                // rename(2) replaces an empty folder and fails on a non-empty one, so a file that
                // appears meanwhile is never lost.
                Files.move(staging, t, StandardCopyOption.ATOMIC_MOVE);
                return t;
            }
            Path aside = sibling(t, "old");
            Files.move(t, aside, StandardCopyOption.ATOMIC_MOVE);
            try {
                Files.move(staging, t, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.move(aside, t, StandardCopyOption.ATOMIC_MOVE);
                throw e;
            }
            if (foreignEntries(aside, kind).isEmpty()) {
                deleteTree(aside);
            }
            return t;
        } catch (IOException e) {
            throw new ScaleLabException(option + " " + t + ": cannot move the finished output into place: " + e.getMessage(), e);
        }
    }

    /** The kind named by a folder's marker, or null when it has none. */
    public static String kindOf(Path dir) {
        List<String> lines = markerLines(dir);
        if (lines == null || lines.isEmpty() || !lines.get(0).startsWith("scalelab ")) {
            return null;
        }
        return lines.get(0).substring("scalelab ".length()).strip();
    }

    /**
     * Entries of an existing target that block writing there: for a file, the file itself; for a
     * folder, everything unless the folder is marked as {@code kind} and the entry is listed.
     */
    private static List<String> foreignEntries(Path t, String kind) {
        if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
            return List.of(t.getFileName().toString());
        }
        Set<String> listed = new LinkedHashSet<>();
        if (kind != null && kind.equals(kindOf(t))) {
            List<String> lines = markerLines(t);
            listed.addAll(lines.subList(1, lines.size()));
            listed.add(MARKER);
        }
        List<String> foreign = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(t)) {
            walk.filter(p -> !p.equals(t))
                    .map(p -> relative(t, p))
                    .filter(r -> !listed.contains(r))
                    .sorted()
                    .forEach(foreign::add);
        } catch (IOException | UncheckedIOException e) {
            foreign.add("entries that cannot be read (" + e.getMessage() + ")");
        }
        // Name the top-level entry a user recognises, not every file below it.
        List<String> top = new ArrayList<>();
        for (String f : foreign) {
            String head = f.contains("/") ? f.substring(0, f.indexOf('/')) + "/" : f;
            if (!top.contains(head) && !top.contains(head + "/")) {
                top.add(head);
            }
        }
        return top;
    }

    private static List<String> markerLines(Path dir) {
        Path m = dir.resolve(MARKER);
        if (!Files.isRegularFile(m, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            return Files.readAllLines(m, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static void writeMarker(Path staging, String kind) throws IOException {
        StringBuilder b = new StringBuilder("scalelab ").append(kind).append('\n');
        try (Stream<Path> walk = Files.walk(staging)) {
            walk.filter(p -> !p.equals(staging))
                    .map(p -> relative(staging, p))
                    .filter(r -> !r.equals(MARKER))
                    .sorted()
                    .forEach(r -> b.append(r).append('\n'));
        }
        Files.writeString(staging.resolve(MARKER), b.toString(), StandardCharsets.UTF_8);
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private static boolean isEmptyFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }

    /** A hidden sibling name that does not exist yet: {@code .name.<what>-<random>}. */
    private static Path sibling(Path t, String what) {
        byte[] r = new byte[6];
        RANDOM.nextBytes(r);
        return t.resolveSibling("." + t.getFileName() + "." + what + "-" + HexFormat.of().formatHex(r));
    }

    /** The real path of {@code p}'s longest existing ancestor, with the rest appended, so links cannot hide the lab. */
    private static Path real(Path p) {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(p)).normalize();
        } catch (IOException e) {
            return p;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (NoSuchFileException e) {
                    // already gone
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
