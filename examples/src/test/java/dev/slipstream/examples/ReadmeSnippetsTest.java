package dev.slipstream.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code java} block of {@code examples/README.md} is copied from a compiled, tested source of this module: its
 * lines (ignoring indentation and blank lines) must appear, contiguous and in order, in one file under {@code src}.
 * A snippet edited in the README alone, or a source changed without its snippet, fails here.
 */
class ReadmeSnippetsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaSnippetIsCopiedFromATestedSource() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        List<List<String>> sources;
        try (Stream<Path> files = Files.walk(Path.of("src"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(ReadmeSnippetsTest::normalized)
                    .collect(Collectors.toList());
        }
        Matcher m = JAVA_BLOCK.matcher(readme);
        int blocks = 0;
        while (m.find()) {
            blocks++;
            List<String> snippet = normalized(m.group(1));
            assertThat(snippet).as("java block %d is empty", blocks).isNotEmpty();
            assertThat(sources.stream().anyMatch(source -> contains(source, snippet)))
                    .as("java block %d of README.md is not in any source under examples/src:%n%s", blocks, m.group(1))
                    .isTrue();
        }
        assertThat(blocks).as("java blocks in README.md").isGreaterThanOrEqualTo(15);
    }

    /**
     * The root README's {@code java} blocks come from the module READMEs' tested sources: each must stand, contiguous
     * and in order, in a source file of one of the modules.
     */
    @Test
    void everyJavaSnippetOfTheRootReadmeIsCopiedFromATestedSource() throws IOException {
        Path root = Path.of("..");
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path src : modules.map(m -> m.resolve("src")).filter(Files::isDirectory).collect(Collectors.toList())) {
                try (Stream<Path> files = Files.walk(src)) {
                    files.filter(p -> p.toString().endsWith(".java")).map(ReadmeSnippetsTest::normalized)
                            .forEach(sources::add);
                }
            }
        }
        Matcher m = JAVA_BLOCK.matcher(readme);
        int blocks = 0;
        while (m.find()) {
            blocks++;
            List<String> snippet = normalized(m.group(1));
            assertThat(sources.stream().anyMatch(source -> contains(source, snippet)))
                    .as("java block %d of the root README.md is not in any module's sources:%n%s", blocks, m.group(1))
                    .isTrue();
        }
        assertThat(blocks).as("java blocks in the root README.md").isGreaterThanOrEqualTo(3);
    }

    private static List<String> normalized(Path file) {
        try {
            return normalized(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> normalized(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("// tag::") && !s.startsWith("// end::")) {
                lines.add(s);
            }
        }
        return lines;
    }

    private static boolean contains(List<String> source, List<String> snippet) {
        return java.util.Collections.indexOfSubList(source, snippet) >= 0;
    }
}
