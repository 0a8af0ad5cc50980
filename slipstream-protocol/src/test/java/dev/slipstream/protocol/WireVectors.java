package dev.slipstream.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the recorded wire vectors in {@code src/test/resources/vectors/} (their origin is named in each file's header).
 */
final class WireVectors {
    static final String REAL_PHOENIX = "vectors/phoenix-1.7.24-frames.txt";
    static final String BINARY_EXAMPLES = "vectors/phoenix-protocol-binary-examples.txt";

    /** One recorded frame. */
    record Vector(String file, int line, String vsn, String section, boolean fromClient, boolean refused,
                  Frame frame, String expected) {
        Serializer serializer() {
            return Serializer.forVsn(vsn).orElseThrow();
        }

        @Override
        public String toString() {
            String shown = frame instanceof Frame.Text t ? t.text() : frame.toString();
            if (shown.length() > 90) {
                shown = shown.substring(0, 90) + "...";
            }
            return (fromClient ? "C> " : "S> ") + "vsn " + vsn + " line " + line + ": " + shown;
        }
    }

    private WireVectors() {}

    static List<Vector> all() {
        List<Vector> out = new ArrayList<>(read(REAL_PHOENIX));
        out.addAll(read(BINARY_EXAMPLES));
        return out;
    }

    static List<Vector> read(String resource) {
        String text;
        try (InputStream in = WireVectors.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Vector> out = new ArrayList<>();
        String vsn = null;
        String section = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.startsWith("@vsn ")) {
                vsn = l.substring(5).trim();
            } else if (l.startsWith("@section ")) {
                section = l.substring(9).trim();
            } else if (l.startsWith("C> ") || l.startsWith("S> ") || l.startsWith("C!> ")) {
                boolean refused = l.startsWith("C!> ");
                String body = l.substring(refused ? 4 : 3);
                Frame frame = parseFrame(body, resource, i + 1);
                String expected = null;
                if (i + 1 < lines.length && lines[i + 1].startsWith("= ")) {
                    expected = lines[++i].substring(2);
                }
                out.add(new Vector(resource, i + 1, vsn, section, l.charAt(0) == 'C', refused, frame, expected));
            }
        }
        return out;
    }

    private static Frame parseFrame(String body, String file, int line) {
        if (!body.startsWith("<binary ")) {
            return Frame.text(body);
        }
        int bytesAt = body.indexOf(" bytes>");
        int declared = Integer.parseInt(body.substring("<binary ".length(), bytesAt));
        String hex = body.substring(body.indexOf("hex=") + 4).replace(" ", "");
        byte[] bytes = HexFormat.of().parseHex(hex);
        if (bytes.length != declared) {
            throw new IllegalStateException(file + ":" + line + " declares " + declared + " bytes but has "
                    + bytes.length);
        }
        return Frame.binary(bytes);
    }
}
