/**
 * Copying between a local client socket and a tunnel {@link dev.burrow.core.tunnel.Conduit}: bounded buffers,
 * half-close in both directions, a TCP reset on failure, byte and connection counters.
 */
package dev.burrow.core.tunnel.relay;
