package dev.slipstream.testing.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.testing.internal.recording.SessionAnalysis;
import dev.slipstream.testing.internal.recording.StubsFromSession;
import dev.slipstream.testing.stub.StubFormatException;
import dev.slipstream.testing.stub.Stubs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes what a {@link RecordingProxy} saw: {@code session.jsonl}, and the stub files derived from it in
 * {@code stubs/} (the {@code *.json} files an earlier recording left there are replaced).
 */
final class RecordingWriter {
    static final String SESSION_FILE = "session.jsonl";
    static final String STUBS_FOLDER = "stubs";

    private RecordingWriter() {
    }

    static RecordingProxy.Recording write(List<JsonNode> session, Path folder, int connections, int frames) {
        try {
            Files.createDirectories(folder);
            Path sessionFile = folder.resolve(SESSION_FILE);
            SessionLog.write(session, sessionFile);
            StubsFromSession.Derived derived = StubsFromSession.derive(SessionAnalysis.analyse(session));
            Path stubs = folder.resolve(STUBS_FOLDER);
            Files.createDirectories(stubs);
            try (DirectoryStream<Path> old = Files.newDirectoryStream(stubs, "*.json")) {
                for (Path p : old) {
                    Files.delete(p);
                }
            }
            for (Map.Entry<String, ObjectNode> file : derived.files().entrySet()) {
                Files.writeString(stubs.resolve(file.getKey()),
                        SessionLog.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file.getValue()) + "\n");
            }
            try {
                Stubs.load(stubs); // what we write must load; a failure here is our bug, named precisely
            } catch (StubFormatException e) {
                throw new IllegalStateException("the stub files derived from the recording do not load (a bug in"
                        + " Slipstream; the session is written): " + e.getMessage(), e);
            }
            return new RecordingProxy.Recording(folder, sessionFile, stubs, connections, frames, derived.notes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the recording to " + folder, e);
        }
    }
}
