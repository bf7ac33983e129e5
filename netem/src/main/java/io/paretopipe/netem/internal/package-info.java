/**
 * Internals shared by the netem packages: running {@code ip}/{@code tc} commands with timeouts,
 * deciding whether the process that owns a leftover is still alive, and the one JVM shutdown hook
 * that closes what is still open. Not an API: other modules must not use these classes.
 */
package io.paretopipe.netem.internal;
