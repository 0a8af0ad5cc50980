package dev.slipstream.examples.cli;

/** Bad command-line arguments: the message names the culprit; the command prints it with the usage and exits 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
