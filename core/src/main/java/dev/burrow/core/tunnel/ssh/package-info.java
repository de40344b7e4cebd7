/**
 * The SSH transport of a tunnel, on Apache MINA SSHD: {@link dev.burrow.core.tunnel.ssh.SshTransport} (session,
 * reconnection, {@code direct-tcpip} dialer), identities (key files, ssh-agent, passphrase prompt), OpenSSH
 * {@code known_hosts} checking and {@code ~/.ssh/config}. Failures are {@link java.io.IOException} subclasses
 * named for what happened. Classes are thread safe unless stated; calls that talk to the server block.
 */
package dev.burrow.core.tunnel.ssh;
