package dev.slipstream.releasecheck;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Lists the public API of each published module's jar, one line per visible class and member, sorted, and compares
 * it with the checked-in listing in {@code api/<artifactId>.txt}. "Visible" is what another module can use: the
 * public and protected types and members of the packages the jar's {@code module-info} exports. A difference fails
 * the build with the lines gone ({@code -}) and added ({@code +}) and the command that rewrites the listings, so
 * that every change of the public API is deliberate and shows in review.
 *
 * <p>Arguments: the {@code api} directory, {@code true} to rewrite the listings instead of comparing, the command to
 * print, then the module jars. The jars and their dependencies must be on this program's class path.
 */
public final class ApiListing {
    private ApiListing() {}

    public static void main(String[] args) throws Exception {
        Path apiDir = Path.of(args[0]);
        boolean update = Boolean.parseBoolean(args[1]);
        String regenerate = args[2];
        List<String> failures = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            Path jar = Path.of(args[i]);
            String artifact = jar.getFileName().toString().replaceFirst("-\\d.*\\.jar$", "");
            Path file = apiDir.resolve(artifact + ".txt");
            String listing = listing(jar);
            String checkedIn = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            if (listing.equals(checkedIn)) {
                continue;
            }
            if (update) {
                Files.createDirectories(apiDir);
                Files.writeString(file, listing, StandardCharsets.UTF_8);
                System.out.println("api listing: wrote " + file);
            } else {
                failures.add("The public API of " + artifact + " differs from " + file + ":\n"
                        + diff(checkedIn.lines().toList(), listing.lines().toList()));
            }
        }
        if (!failures.isEmpty()) {
            failures.forEach(System.err::println);
            System.err.println("If these changes are deliberate, rewrite the listings and commit them with the change:\n"
                    + "  " + regenerate);
            System.exit(1);
        }
    }

    /** The listing of one jar: its module, exported packages, and every visible type with its visible members. */
    static String listing(Path jar) throws IOException, ClassNotFoundException {
        ModuleDescriptor module = ModuleFinder.of(jar).findAll().iterator().next().descriptor();
        Set<String> exported = module.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        StringBuilder out = new StringBuilder("module ").append(module.name()).append('\n');
        module.requires().stream().filter(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.MANDATED))
                .map(r -> "  requires " + r.modifiers().stream().filter(m -> m
                        == ModuleDescriptor.Requires.Modifier.TRANSITIVE).map(m -> "transitive ").collect(
                        Collectors.joining()) + r.name())
                .sorted().forEach(line -> out.append(line).append('\n'));
        exported.forEach(p -> out.append("  exports ").append(p).append('\n'));
        for (String name : classNames(jar, exported)) {
            Class<?> type = Class.forName(name, false, ApiListing.class.getClassLoader());
            if (!visible(type)) {
                continue;
            }
            out.append('\n').append(header(type)).append('\n');
            members(type).forEach(m -> out.append("  ").append(m).append('\n'));
        }
        return out.toString();
    }

    private static List<String> classNames(Path jar, Set<String> packages) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class")
                            && !n.startsWith("META-INF/"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .filter(n -> packages.contains(n.substring(0, n.lastIndexOf('.'))))
                    .sorted().toList();
        }
    }

    /** Public or protected, named, and so is every type it is nested in. */
    private static boolean visible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (t.isSynthetic() || t.isAnonymousClass() || t.isLocalClass()
                    || !(Modifier.isPublic(t.getModifiers()) || Modifier.isProtected(t.getModifiers()))) {
                return false;
            }
        }
        return true;
    }

    private static String header(Class<?> type) {
        StringBuilder h = new StringBuilder(type.toGenericString());
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            h.append(" extends ").append(superclass.getTypeName());
        }
        Type[] interfaces = type.getGenericInterfaces();
        if (interfaces.length > 0 && !type.isAnnotation()) {
            h.append(type.isInterface() ? " extends " : " implements ").append(Stream.of(interfaces)
                    .map(Type::getTypeName).collect(Collectors.joining(", ")));
        }
        if (type.isSealed()) {
            h.append(" permits ").append(Stream.of(type.getPermittedSubclasses()).map(Class::getName)
                    .collect(Collectors.joining(", ")));
        }
        return h.toString();
    }

    private static Set<String> members(Class<?> type) {
        Set<String> lines = new TreeSet<>();
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (shown(c) && !c.isSynthetic()) {
                lines.add(strip(c.toGenericString(), type.getName() + "(", "<init>("));
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (shown(m) && !m.isSynthetic() && !m.isBridge()) {
                lines.add(strip(m.toGenericString(), type.getTypeName() + "." + m.getName() + "(", m.getName() + "("));
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (shown(f) && !f.isSynthetic()) {
                lines.add(strip(f.toGenericString(), type.getTypeName() + "." + f.getName(), f.getName())
                        + constant(f));
            }
        }
        return lines;
    }

    private static boolean shown(Member member) {
        int modifiers = member.getModifiers();
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String strip(String signature, String qualified, String simple) {
        return signature.replace(qualified, simple);
    }

    /** A compile-time constant is copied into its users' class files, so its value is API too. */
    private static String constant(Field f) {
        int modifiers = f.getModifiers();
        if (!Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers)
                || !(f.getType().isPrimitive() || f.getType() == String.class)) {
            return "";
        }
        try {
            f.setAccessible(true);
            Object value = f.get(null);
            return " = " + (value instanceof String s ? '"' + s + '"' : value);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "";
        }
    }

    /** The lines only in {@code before} ({@code -}) and only in {@code after} ({@code +}), in order (an LCS diff). */
    static String diff(List<String> before, List<String> after) {
        int[][] lcs = new int[before.size() + 1][after.size() + 1];
        for (int i = before.size() - 1; i >= 0; i--) {
            for (int j = after.size() - 1; j >= 0; j--) {
                lcs[i][j] = before.get(i).equals(after.get(j)) ? lcs[i + 1][j + 1] + 1
                        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int j = 0;
        while (i < before.size() || j < after.size()) {
            if (i < before.size() && j < after.size() && before.get(i).equals(after.get(j))) {
                i++;
                j++;
            } else if (j < after.size() && (i == before.size() || lcs[i][j + 1] > lcs[i + 1][j])) {
                out.append("+ ").append(after.get(j++)).append('\n');
            } else {
                out.append("- ").append(before.get(i++)).append('\n');
            }
        }
        return out.toString();
    }
}
