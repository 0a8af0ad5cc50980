package dev.slipstream.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's code comes from compiled tests: each {@code <!-- snippet: file#tag -->} block must equal the region
 * between {@code // tag::tag[]} and {@code // end::tag[]} in that file (de-indented), so the docs cannot drift.
 */
class ReadmeSnippetsTest {
    private static final Pattern SNIPPET = Pattern.compile("<!-- snippet: ([^#]+)#(\\S+) -->\n```java\n(.*?)\n```",
            Pattern.DOTALL);

    @Test
    void everySnippetMatchesItsSource() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = SNIPPET.matcher(readme);
        List<String> checked = new ArrayList<>();
        while (m.find()) {
            assertThat(m.group(3)).as("README snippet %s#%s", m.group(1), m.group(2))
                    .isEqualTo(region(Path.of(m.group(1)), m.group(2)));
            checked.add(m.group(2));
        }
        assertThat(checked).containsExactly("chat-room", "client-module", "script", "stub", "without-junit");
    }

    private static String region(Path file, String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        for (String line : Files.readAllLines(file)) {
            if (line.strip().equals("// tag::" + tag + "[]")) {
                inside = true;
            } else if (line.strip().equals("// end::" + tag + "[]")) {
                inside = false;
            } else if (inside) {
                lines.add(line);
            }
        }
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.isBlank() ? "" : l.substring(indent));
        }
        return String.join("\n", out).strip();
    }
}
