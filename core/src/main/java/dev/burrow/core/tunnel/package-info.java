/**
 * Tunnels over SSH: the {@link dev.burrow.core.tunnel.Dialer}/{@link dev.burrow.core.tunnel.Conduit} seam between
 * front ends (SOCKS5, transparent capture, DNS) and the SSH transport, and the counters and metrics stream
 * ({@link dev.burrow.core.tunnel.TunnelMetrics}) a user interface shows. See docs/tunnel.md.
 */
package dev.burrow.core.tunnel;
