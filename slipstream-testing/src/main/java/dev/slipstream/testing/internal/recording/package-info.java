/**
 * Internal, not API: what a recorded session says was asked and answered ({@link
 * dev.slipstream.testing.internal.recording.Exchange}), read from the recording proxy's {@code session.jsonl} by
 * {@link dev.slipstream.testing.internal.recording.SessionAnalysis}; the stubs writer and the drift check share it.
 *
 * <pre>{@code
 * List<Exchange> exchanges = SessionAnalysis.analyse(lines);
 * }</pre>
 */
package dev.slipstream.testing.internal.recording;
