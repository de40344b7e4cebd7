/**
 * The SSH client's socket I/O: a MINA SSHD transport with one selector thread per session, which runs MINA's packet
 * handling directly when data arrives and lets the sending thread write to the socket itself while the socket takes
 * the bytes, instead of MINA's default NIO2 transport, which hands every read and every write completion from one
 * thread to another.
 */
package dev.burrow.core.tunnel.ssh.io;
