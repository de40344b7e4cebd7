package dev.burrow.core.tunnel.capture;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The socket options Java does not offer, through libc's {@code getsockopt}/{@code setsockopt} (FFM): the
 * original destination of a REDIRECTed connection and {@code IPV6_V6ONLY} for a listener. Linux only; the
 * numbers are those of Linux on every architecture.
 */
final class SocketOptions {
    private static final int SOL_IP = 0;
    private static final int SOL_IPV6 = 41;
    /** {@code SO_ORIGINAL_DST} (linux/netfilter_ipv4.h) and {@code IP6T_SO_ORIGINAL_DST} share the number. */
    private static final int SO_ORIGINAL_DST = 80;
    private static final int IPV6_V6ONLY = 26;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    static final int ENOENT = 2;
    static final int ENOPROTOOPT = 92;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private SocketOptions() {
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    private static final class Getsockopt {
        static final MethodHandle H = errnoCall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * The same call on heap arrays, without errno: a critical downcall, which a short non-blocking syscall may be.
     * This is the per-connection path, and until the JIT has compiled it every confined arena, off-heap allocation
     * and var-handle access is interpreted: the arena version was a sixth of the Java samples of a tunnel's first
     * few hundred connections.
     */
    private static final class GetsockoptOnHeap {
        static final MethodHandle H = LINKER.downcallHandle(
                LINKER.defaultLookup().find("getsockopt").orElseThrow(() -> new UnsupportedOperationException(
                        "libc has no getsockopt")),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
                Linker.Option.critical(true));
    }

    private static final class Setsockopt {
        static final MethodHandle H = errnoCall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Strerror {
        static final MethodHandle H = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static final class Strlen {
        static final MethodHandle H = LINKER.downcallHandle(LINKER.defaultLookup().find("strlen").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    }

    /** Thrown for a failed call; {@link #errno()} says why. */
    static final class ErrnoException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        ErrnoException(String call, int errno) {
            super(call + ": " + strerror(errno));
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    /**
     * The destination the connection on {@code fd} had before netfilter redirected it: {@code SO_ORIGINAL_DST}
     * for an IPv4 socket, {@code IP6T_SO_ORIGINAL_DST} for an IPv6 one. Throws with {@link #ENOENT} when
     * conntrack knows no such connection (it was not redirected).
     */
    static InetSocketAddress originalDestination(int fd, boolean ipv6) throws ErrnoException {
        // sockaddr_in is 16 bytes, sockaddr_in6 28.
        byte[] sockaddr = new byte[28];
        int[] length = {ipv6 ? 28 : 16};
        int rc;
        try {
            rc = (int) GetsockoptOnHeap.H.invokeExact(fd, ipv6 ? SOL_IPV6 : SOL_IP, SO_ORIGINAL_DST,
                    MemorySegment.ofArray(sockaddr), MemorySegment.ofArray(length));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            // Only a failure needs errno: ask again with it captured (conntrack's answer does not change).
            return originalDestinationOrErrno(fd, ipv6);
        }
        return decode(sockaddr);
    }

    private static InetSocketAddress originalDestinationOrErrno(int fd, boolean ipv6) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            // sockaddr_in is 16 bytes, sockaddr_in6 28.
            MemorySegment buf = arena.allocate(28, 8);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, ipv6 ? 28 : 16);
            int rc;
            try {
                rc = (int) Getsockopt.H.invokeExact(capture, fd, ipv6 ? SOL_IPV6 : SOL_IP, SO_ORIGINAL_DST, buf, len);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw new ErrnoException("getsockopt(SO_ORIGINAL_DST)", (int) ERRNO.get(capture, 0L));
            }
            return decode(buf.toArray(JAVA_BYTE));
        }
    }

    /** A {@code sockaddr_in} or {@code sockaddr_in6} (family in host order, port in network order) as Java sees it. */
    static InetSocketAddress decode(byte[] sockaddr) {
        int family = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                ? (sockaddr[0] & 0xff) | (sockaddr[1] & 0xff) << 8
                : (sockaddr[0] & 0xff) << 8 | (sockaddr[1] & 0xff);
        int port = (sockaddr[2] & 0xff) << 8 | (sockaddr[3] & 0xff);
        byte[] address;
        if (family == AF_INET) {
            address = Arrays.copyOfRange(sockaddr, 4, 8);
        } else if (family == AF_INET6) {
            address = Arrays.copyOfRange(sockaddr, 8, 24);
        } else {
            throw new IllegalStateException("getsockopt returned address family " + family);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
    }

    /** {@code IPV6_V6ONLY}: an IPv6 listener that does not also take IPv4, so a separate IPv4 one can share the port. */
    static void setIpv6Only(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            int rc;
            try {
                rc = (int) Setsockopt.H.invokeExact(capture, fd, SOL_IPV6, IPV6_V6ONLY, one, (int) JAVA_INT.byteSize());
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (rc != 0) {
                throw new ErrnoException("setsockopt(IPV6_V6ONLY)", (int) ERRNO.get(capture, 0L));
            }
        }
    }

    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) Strerror.H.invokeExact(errno);
            if (text.equals(MemorySegment.NULL)) {
                return "errno " + errno;
            }
            long length = (long) Strlen.H.invokeExact(text);
            return new String(text.reinterpret(length).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("unexpected exception from a native call", t);
    }
}
