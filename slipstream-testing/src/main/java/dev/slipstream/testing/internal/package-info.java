/**
 * Implementation details of the fake server (serial executors, Phoenix-exact JSON, presence refs). Not part of the
 * API: may change in any release.
 *
 * <pre>{@code
 * // nothing here is meant to be called from outside slipstream-testing
 * }</pre>
 */
package dev.slipstream.testing.internal;
