/**
 * The {@code local} transport: the stage runs in the head's process and is called directly, no
 * socket, no encoding, no copy; the floor every other transport is compared with. It answers
 * through the same {@code server.Outcomes} as the stage servers, so its errors read the same.
 */
package io.paretopipe.harness.transport.local;
