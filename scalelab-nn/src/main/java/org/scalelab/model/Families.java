package org.scalelab.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.scalelab.InputException;

/**
 * The families ScaleLab runs: every concrete subclass of {@link Family} in this package whose class
 * name ends in {@code Family}, found the first time a family is looked up (in the jar or folder that
 * holds this package, and in the class path's folders), and listed by model_type. Finding them by
 * name means a new family is one new class: no list, services file or switch to edit.
 */
public final class Families {
    private static final String PACKAGE = Family.class.getPackageName();
    private static final String SUFFIX = "Family.class";

    private Families() {}

    /** Discovered once, on first use (the holder idiom makes that thread-safe). */
    private static final class Registry {
        static final List<Family> ALL = discover();
    }

    /** Every family, ordered by model_type. */
    public static List<Family> all() {
        return Registry.ALL;
    }

    /** "gemma, gemma2, gpt2, …": for help texts and error messages. */
    public static String supported() {
        return all().stream().map(Family::modelType).collect(Collectors.joining(", "));
    }

    /** The family whose model_type is {@code modelType} (case-insensitive), or null. */
    public static Family find(String modelType) {
        for (Family f : all()) {
            if (f.modelType().equalsIgnoreCase(modelType)) {
                return f;
            }
        }
        return null;
    }

    /** The family whose causal-LM class is {@code architecture} (e.g. "Qwen2ForCausalLM"), or null. */
    private static Family byArchitecture(String architecture) {
        for (Family f : all()) {
            if (f.architecture().equals(architecture)) {
                return f;
            }
        }
        return null;
    }

    /**
     * The family of a config.json: named by {@code model_type}, or, when that key is missing, by the
     * causal-LM class in {@code architectures} (e.g. "Qwen2ForCausalLM"), which older exports carry alone.
     */
    static Family of(Path file, JsonNode root) {
        String modelType = root.path("model_type").asText(null);
        if (modelType != null) {
            Family family = find(modelType);
            if (family == null) {
                throw new InputException(file + ": model_type \"" + modelType + "\" is not supported" + hint(modelType) + " (supported: "
                        + supported() + ")");
            }
            return family;
        }
        JsonNode arch = root.get("architectures");
        if (arch != null && arch.isArray()) {
            for (JsonNode a : arch) {
                Family family = byArchitecture(a.asText());
                if (family != null) {
                    return family;
                }
            }
            throw new InputException(file + ": no \"model_type\", and architectures " + arch + " names no supported class (supported: "
                    + supported() + ")");
        }
        throw new InputException(file + ": missing \"model_type\" (supported: " + supported() + ")");
    }

    /** What the family closest to an unsupported model_type says about it, or "". */
    private static String hint(String modelType) {
        for (Family f : all()) {
            String h = f.hintFor(modelType);
            if (h != null) {
                return h;
            }
        }
        return "";
    }

    /**
     * Lists the package in the jar or folder Family itself was loaded from, and in every folder on
     * the class path (where tests and development builds keep their classes). Other jars are not
     * opened: asking the class loader for every copy of the package would open all of them, a cost
     * felt on every command that reads a config.json.
     */
    private static List<Family> discover() {
        Set<String> classNames = new TreeSet<>();
        String folder = PACKAGE.replace('.', '/');
        try {
            for (Path root : roots()) {
                if (Files.isDirectory(root)) {
                    Path dir = root.resolve(folder);
                    if (Files.isDirectory(dir)) {
                        try (Stream<Path> files = Files.list(dir)) {
                            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX)).forEach(classNames::add);
                        }
                    }
                } else if (Files.isRegularFile(root)) {
                    try (JarFile jar = new JarFile(root.toFile())) {
                        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                            String name = e.nextElement().getName();
                            if (name.startsWith(folder + "/") && name.indexOf('/', folder.length() + 1) < 0 && name.endsWith(SUFFIX)) {
                                classNames.add(name.substring(folder.length() + 1));
                            }
                        }
                    }
                }
            }
            ClassLoader loader = Family.class.getClassLoader();
            List<Family> families = new ArrayList<>();
            for (String fileName : classNames) {
                Class<?> c = Class.forName(PACKAGE + "." + fileName.substring(0, fileName.length() - ".class".length()), true, loader);
                if (Family.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers()) && c != Family.class) {
                    families.add((Family) c.getConstructor().newInstance());
                }
            }
            families.sort(Comparator.comparing(Family::modelType));
            checkDistinct(families);
            return List.copyOf(families);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the model families in package " + PACKAGE, e);
        } catch (ReflectiveOperationException | URISyntaxException e) {
            throw new IllegalStateException("cannot load the model families in package " + PACKAGE + ": " + e, e);
        }
    }

    /** Family's own jar or folder, then the folders of the class path. */
    private static Set<Path> roots() throws URISyntaxException {
        Set<Path> roots = new LinkedHashSet<>();
        CodeSource own = Family.class.getProtectionDomain().getCodeSource();
        if (own != null && own.getLocation() != null && own.getLocation().getProtocol().equals("file")) {
            roots.add(Path.of(own.getLocation().toURI()).toAbsolutePath().normalize());
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Path p = Path.of(entry).toAbsolutePath().normalize();
                if (Files.isDirectory(p)) {
                    roots.add(p);
                }
            }
        }
        return roots;
    }

    private static void checkDistinct(List<Family> families) {
        for (int i = 1; i < families.size(); i++) {
            if (families.get(i).modelType().equals(families.get(i - 1).modelType())) {
                throw new IllegalStateException("two model families claim model_type \"" + families.get(i).modelType() + "\": "
                        + families.get(i - 1).getClass().getName() + " and " + families.get(i).getClass().getName());
            }
        }
    }
}
