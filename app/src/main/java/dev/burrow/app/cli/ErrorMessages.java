package dev.burrow.app.cli;

import dev.burrow.core.store.NotARepositoryException;
import dev.burrow.core.tunnel.ssh.ChannelOpenRefusedException;
import dev.burrow.core.tunnel.ssh.HostKeyChangedException;
import dev.burrow.core.tunnel.ssh.SshAuthenticationException;
import dev.burrow.core.tunnel.ssh.SshUnreachableException;
import dev.burrow.core.tunnel.ssh.UnknownHostKeyException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Turns an exception into the one line the CLI prints after {@code burrow: }: what happened, and what to do. */
final class ErrorMessages {
    private static final String DISK_FULL = "No space left on device";

    private ErrorMessages() { }

    static String describe(Throwable t) {
        if (t instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        return switch (t) {
            case InterruptedException e -> "interrupted";
            // Interrupting a thread blocked in channel I/O closes the channel; that is our Ctrl-C, not a failure.
            case ClosedByInterruptException e -> "interrupted";
            // A timeout is an InterruptedIOException too, but nobody pressed Ctrl-C.
            case SocketTimeoutException e -> "timed out: " + e.getMessage();
            case InterruptedIOException e -> "interrupted";
            case NotARepositoryException e -> e.getMessage();
            case UnknownHostKeyException e -> e.getMessage() + "; if that is the server's key, run again with"
                    + " --accept-new to add it to " + e.knownHosts();
            case HostKeyChangedException e -> e.getMessage() + ": someone may be intercepting the connection; if the"
                    + " server's key really changed, remove its old entry with 'ssh-keygen -R "
                    + knownHostsName(e.host(), e.port()) + " -f " + e.knownHosts() + "'";
            case SshAuthenticationException e -> e.getMessage() + "; check the user, -i KEY, 'ssh-add -l' and the"
                    + " server's authorized_keys";
            case SshUnreachableException e -> e.getMessage();
            case ChannelOpenRefusedException e -> e.getMessage();
            case NoSuchFileException e -> path(e) + ": no such file or directory";
            case AccessDeniedException e -> path(e) + ": permission denied";
            case FileSystemException e when isDiskFull(e) -> path(e) + ": disk full; free space and run again"
                    + " (the repository is unchanged)";
            case IOException e when isDiskFull(e) -> "disk full; free space and run again (the repository is unchanged)";
            case IOException e -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            default -> "internal error: " + t + " (run with BURROW_DEBUG=1 for details)";
        };
    }

    /** How OpenSSH names a host in known_hosts: {@code host}, or {@code [host]:port} off port 22. */
    private static String knownHostsName(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    private static boolean isDiskFull(IOException e) {
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        return reason != null && reason.contains(DISK_FULL);
    }

    private static String path(FileSystemException e) {
        if (e.getFile() == null) {
            return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        }
        return e.getOtherFile() != null ? e.getFile() + " -> " + e.getOtherFile() : e.getFile();
    }
}
