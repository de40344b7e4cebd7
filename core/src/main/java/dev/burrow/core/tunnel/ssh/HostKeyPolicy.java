package dev.burrow.core.tunnel.ssh;

/** What to do with a server whose host key is not in known_hosts. A changed key is always refused. */
public enum HostKeyPolicy {
    /** Refuse, naming the key's fingerprint (OpenSSH's {@code StrictHostKeyChecking=yes}). */
    STRICT,
    /** Add the key to known_hosts and connect (OpenSSH's {@code StrictHostKeyChecking=accept-new}). */
    ACCEPT_NEW
}
