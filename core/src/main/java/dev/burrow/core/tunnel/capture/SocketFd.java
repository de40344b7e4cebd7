package dev.burrow.core.tunnel.capture;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.NetworkChannel;

/**
 * The file descriptor behind a JDK socket channel, which {@link SocketOptions} needs for the options Java lacks.
 *
 * <p>Why this route: {@code getsockopt(SO_ORIGINAL_DST)} must run on the accepted socket itself (conntrack is
 * looked up from that socket's addresses), and the JDK has no public way to name a channel's descriptor. The
 * alternatives are worse: a listener and all connection I/O done natively through FFM would pin a carrier thread
 * per blocked read (or mean re-writing NIO's poller); finding the descriptor by scanning {@code /proc/self/fd}
 * costs a syscall per open descriptor per connection; asking conntrack over netlink needs CAP_NET_ADMIN in the
 * app. So we read it from the JDK's own {@code sun.nio.ch.SelChImpl#getFDVal()}, a public method in a package
 * that is not exported: the JVM must run with {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}, which the
 * {@code burrow} launcher and the test configuration pass. Without it {@link #check()} says so in one line.
 */
final class SocketFd {
    static final String JVM_OPTION = "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";
    private static final MethodHandle FD_VAL;
    private static final String UNAVAILABLE;

    static {
        MethodHandle handle = null;
        String reason = null;
        try {
            Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
            handle = MethodHandles.lookup().findVirtual(selChImpl, "getFDVal", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, NetworkChannel.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            reason = e.toString();
        }
        FD_VAL = handle;
        UNAVAILABLE = reason;
    }

    private SocketFd() {
    }

    /** Fails with the JVM option to add when the descriptor cannot be read. */
    static void check() throws CaptureException {
        if (FD_VAL == null) {
            throw new CaptureException("transparent capture needs the JVM option " + JVM_OPTION
                    + " (the burrow launcher passes it); start java with it, or use --method socks ("
                    + UNAVAILABLE + ")");
        }
    }

    /** The descriptor of a JDK socket or server-socket channel. */
    static int of(NetworkChannel channel) throws CaptureException {
        check();
        try {
            return (int) FD_VAL.invokeExact(channel);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("getFDVal threw", t);
        }
    }
}
