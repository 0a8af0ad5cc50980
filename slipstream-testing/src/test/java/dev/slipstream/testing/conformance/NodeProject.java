package dev.slipstream.testing.conformance;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Node side of the conformance suite: the committed Node project ({@code src/test/js}: package.json,
 * package-lock.json, scenario runner) copied into a build directory and installed there with {@code npm ci}.
 *
 * <p>The install is reused while the committed lock file is unchanged (a marker in {@code node_modules} holds the
 * lock's SHA-256), so repeated and offline runs do not touch the registry; {@code npm ci --prefer-offline} also
 * reuses npm's cache. A missing {@code node} or {@code npm} is a failure with a clear message, never a skip: CI
 * has Node, and a conformance suite that silently does not run proves nothing.
 */
public final class NodeProject {

    /** The oldest Node the suite supports: phoenix.js 1.8 with the {@code ws} transport, and global fetch. */
    static final int MIN_NODE_MAJOR = 18;

    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(4);
    private static final List<String> PROJECT_FILES = List.of("package.json", "package-lock.json", "conformance.js",
            "presence-sequences.js",
            "auth-token.js",
            "admin.js",
            "replay.js");
    private static final String MARKER = ".slipstream-lock-sha256";

    private final Path node;
    private final Path dir;

    private NodeProject(Path node, Path dir) {
        this.node = node;
        this.dir = dir;
    }

    /** The node executable in use. */
    public Path node() {
        return node;
    }

    /** The build directory holding the installed project. */
    public Path dir() {
        return dir;
    }

    /**
     * Finds Node and npm, copies the committed project into {@code buildDir} and installs it if needed.
     *
     * @throws IllegalStateException with a message that says what is missing or what failed
     */
    public static NodeProject prepare(Path sourceDir, Path buildDir) throws IOException, InterruptedException {
        Path node = findExecutable("node", "slipstream.conformance.node").orElseThrow(() -> new IllegalStateException(
                "Node.js is required for the phoenix.js conformance suite but `node` is not on the PATH "
                        + "(PATH=" + System.getenv("PATH") + "). Install Node " + MIN_NODE_MAJOR
                        + "+ with npm, or point -Dslipstream.conformance.node=/path/to/node at it."));
        checkNodeVersion(node);

        Files.createDirectories(buildDir);
        for (String name : PROJECT_FILES) {
            Path from = sourceDir.resolve(name);
            if (!Files.isRegularFile(from)) {
                throw new IllegalStateException("the conformance Node project is incomplete: " + from + " is missing");
            }
            Files.copy(from, buildDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }

        String lockSha = sha256(buildDir.resolve("package-lock.json"));
        Path marker = buildDir.resolve("node_modules").resolve(MARKER);
        boolean installed = Files.isRegularFile(marker)
                && Files.readString(marker, StandardCharsets.UTF_8).trim().equals(lockSha)
                && Files.isRegularFile(buildDir.resolve("node_modules/phoenix/package.json"))
                && Files.isRegularFile(buildDir.resolve("node_modules/ws/package.json"));
        if (!installed) {
            npmCi(node, buildDir);
            Files.writeString(marker, lockSha + "\n", StandardCharsets.UTF_8);
        }
        return new NodeProject(node, buildDir);
    }

    private static void npmCi(Path node, Path buildDir) throws IOException, InterruptedException {
        // npm next to node first: a PATH with a different npm than node is a confusing failure.
        Path npm = siblingOrPath(node, windows() ? "npm.cmd" : "npm").orElseThrow(() -> new IllegalStateException(
                "npm is required to install the conformance suite's packages (phoenix, ws) but is not on the PATH"));
        // `npm ci` installs exactly the committed package-lock.json and fails if package.json disagrees with it.
        List<String> command = List.of(npm.toString(), "ci", "--no-audit", "--no-fund", "--prefer-offline",
                "--loglevel=error");
        ProcessResult result = run(command, buildDir, INSTALL_TIMEOUT, buildDir.resolve("npm-ci.log"));
        if (result.timedOut() || result.exitCode() != 0) {
            throw new IllegalStateException("`npm ci` in " + buildDir + (result.timedOut()
                    ? " did not finish within " + INSTALL_TIMEOUT.toSeconds() + " s"
                    : " failed with exit code " + result.exitCode()) + ":\n" + result.output());
        }
    }

    private static void checkNodeVersion(Path node) throws IOException, InterruptedException {
        ProcessResult result = run(List.of(node.toString(), "--version"), null, VERSION_TIMEOUT, null);
        Matcher m = Pattern.compile("v(\\d+)\\.").matcher(result.output());
        if (result.exitCode() != 0 || !m.find()) {
            throw new IllegalStateException("`" + node + " --version` did not work: " + result.output());
        }
        int major = Integer.parseInt(m.group(1));
        if (major < MIN_NODE_MAJOR) {
            throw new IllegalStateException("the phoenix.js conformance suite needs Node " + MIN_NODE_MAJOR
                    + "+, found " + result.output().trim() + " at " + node);
        }
    }

    /** The outcome of a finished (or killed) process; {@code output} is stdout and stderr merged. */
    public record ProcessResult(int exitCode, boolean timedOut, String output) {
    }

    /**
     * Runs a process to completion or until {@code timeout}, then kills it (and its children). Output goes to a file,
     * not a pipe, so a chatty process can never block on a full pipe while nobody reads it.
     */
    public static ProcessResult run(List<String> command, Path workDir, Duration timeout, Path logFile)
            throws IOException, InterruptedException {
        Path log = logFile != null ? logFile : Files.createTempFile("slipstream-process", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File(windows() ? "NUL" : "/dev/null")));
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Process process = pb.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (logFile == null) {
            Files.deleteIfExists(log);
        }
        return new ProcessResult(finished ? process.exitValue() : -1, !finished, output);
    }

    private static Optional<Path> findExecutable(String name, String overrideProperty) {
        String override = System.getProperty(overrideProperty);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException("-D" + overrideProperty + "=" + override + " is not an executable");
            }
            return Optional.of(p);
        }
        return onPath(windows() ? name + ".exe" : name);
    }

    private static Optional<Path> siblingOrPath(Path node, String name) {
        Path sibling = node.toAbsolutePath().getParent().resolve(name);
        if (Files.isExecutable(sibling)) {
            return Optional.of(sibling);
        }
        return onPath(name);
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                candidates.add(Path.of(entry).resolve(name));
            }
        }
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    private static boolean windows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
