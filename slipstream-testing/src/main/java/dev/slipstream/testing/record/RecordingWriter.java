package dev.slipstream.testing.record;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes what a {@link RecordingProxy} saw: {@code session.jsonl}. */
final class RecordingWriter {
    static final String SESSION_FILE = "session.jsonl";

    private RecordingWriter() {
    }

    static RecordingProxy.Recording write(List<JsonNode> session, Path folder, int connections, int frames) {
        try {
            Files.createDirectories(folder);
            Path sessionFile = folder.resolve(SESSION_FILE);
            SessionLog.write(session, sessionFile);
            return new RecordingProxy.Recording(folder, sessionFile, connections, frames);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the recording to " + folder, e);
        }
    }
}
