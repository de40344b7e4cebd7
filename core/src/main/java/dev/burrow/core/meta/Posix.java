package dev.burrow.core.meta;

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
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * libc calls through the FFM API, for what {@code java.nio.file} cannot do: xattrs without following
 * symlinks, {@code utimensat} on symlinks, {@code mknod}, {@code lchown}, full {@code chmod} bits, the
 * chattr flags ioctl, raw symlink targets, and account names as raw bytes.
 *
 * <p>Each function has its own lazy holder, so a missing symbol fails only the call that needs it.
 * Calls that can fail capture {@code errno} and turn it into an {@link IOException} naming the path:
 * {@link NoSuchFileException}, {@link AccessDeniedException}, {@link FileAlreadyExistsException}, or a
 * plain {@link FileSystemException} whose reason holds the call and {@code strerror} text. Callers pass
 * a confined {@link Arena} for the call's scratch memory; nothing here keeps native memory after a
 * call returns. Struct layouts and numbers (errno values, ioctl requests, {@code struct passwd}) are
 * those of Linux on 64-bit x86 and ARM; elsewhere every call throws
 * {@link UnsupportedOperationException}.
 */
final class Posix {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EEXIST = 17;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    static final int ERANGE = 34;
    static final int ENOSYS = 38;
    static final int ENODATA = 61;
    static final int EOPNOTSUPP = 95;

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 0x1;
    private static final int O_CREAT = 0x40;
    private static final int O_EXCL = 0x80;
    private static final int O_NOCTTY = 0x100;
    private static final int O_NONBLOCK = 0x800;
    /** The one open flag used here whose value differs between the two: arm64 has its own fcntl.h. */
    private static final int O_NOFOLLOW = System.getProperty("os.arch", "").equals("aarch64") ? 0x8000 : 0x20000;
    private static final int O_CLOEXEC = 0x80000;
    /** {@code _IOR('f', 1, long)}: the kernel reads and writes an int through the pointer. */
    private static final long FS_IOC_GETFLAGS = 0x80086601L;
    /** {@code _IOW('f', 2, long)}. */
    private static final long FS_IOC_SETFLAGS = 0x40086602L;
    /** The flags chattr(1) may change (bup's list: acdeijstuADST plus C); others are kernel-managed. */
    private static final int SETTABLE_FLAGS = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x4000
            | 0x8000 | 0x10000 | 0x20000 | 0x80000 | 0x800000;
    /** {@code FS_EXTENT_FL} cannot be cleared on ext4, so it is kept from the file's current flags. */
    private static final int FS_EXTENT_FL = 0x80000;

    static final String UNSUPPORTED_REASON = unsupportedReason();

    private Posix() {
    }

    /** Whether this platform's libc can be called; if not, {@link #UNSUPPORTED_REASON} says why. */
    static boolean isSupported() {
        return UNSUPPORTED_REASON == null;
    }

    private static String unsupportedReason() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "file metadata needs Linux, this is " + os;
        }
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return "file metadata needs x86_64 or aarch64 Linux, this is " + arch;
        }
        return null;
    }

    // ---- linking -------------------------------------------------------------------------------

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    @SuppressWarnings("restricted") // the descriptors below match the C prototypes on 64-bit Linux
    static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
            Linker.Option... options) {
        if (!isSupported()) {
            throw new UnsupportedOperationException(UNSUPPORTED_REASON);
        }
        MemorySegment symbol = lookup.find(name).orElseThrow(
                () -> new UnsupportedOperationException("symbol " + name + " not found"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A downcall in libc that captures errno: the handle takes the capture segment as first argument. */
    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        return downcall(LINKER.defaultLookup(), name, descriptor, Linker.Option.captureCallState("errno"));
    }

    /** Scratch memory for {@code errno} capture. */
    static MemorySegment captureSegment(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("unexpected exception from a native call", t);
    }

    private static final class Strerror {
        static final MethodHandle H = downcall(LINKER.defaultLookup(), "strerror",
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static final class Strlen {
        static final MethodHandle H = downcall(LINKER.defaultLookup(), "strlen",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    }

    /** The text for {@code errno}, e.g. "Operation not permitted". */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) Strerror.H.invokeExact(errno);
            return text.equals(MemorySegment.NULL) ? "errno " + errno : new String(cString(text),
                    StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The bytes of a NUL-terminated C string, without the NUL. */
    @SuppressWarnings("restricted") // strlen bounds the segment to the string libc handed out
    static byte[] cString(MemorySegment pointer) {
        try {
            long length = (long) Strlen.H.invokeExact(pointer);
            return pointer.reinterpret(length).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** An IOException naming {@code path}, of the type {@code java.nio.file} would use for {@code errno}. */
    static IOException error(String call, Path path, int errno) {
        String file = path.toString();
        String reason = call + ": " + strerror(errno);
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(file, null, reason);
            case EACCES, EPERM -> new AccessDeniedException(file, null, reason);
            case EEXIST -> new FileAlreadyExistsException(file, null, reason);
            default -> new FileSystemException(file, null, reason);
        };
    }

    /** {@code path} as a NUL-terminated C string in {@code arena}. */
    static MemorySegment cPath(Arena arena, Path path) {
        // The raw bytes, so names that are not valid in the platform charset still reach the right file.
        return cString(arena, FileNames.pathBytes(path.toAbsolutePath()));
    }

    static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s;
    }

    // ---- identity --------------------------------------------------------------------------------

    private static final class Geteuid {
        static final MethodHandle H = downcall(LINKER.defaultLookup(), "geteuid", FunctionDescriptor.of(JAVA_INT));
    }

    /** The effective user id of this process. */
    static long geteuid() {
        try {
            return Integer.toUnsignedLong((int) Geteuid.H.invokeExact());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- lstat ---------------------------------------------------------------------------------

    private static final class Statx {
        static final MethodHandle H = errnoCall("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT, ADDRESS));
    }

    // statx(2) rather than lstat(2): struct statx has one layout on every architecture, struct stat does not.
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final long STATX_SIZE = 256;

    /** The file's lstat fields, read with one statx call. */
    static FileStat lstat(Arena arena, MemorySegment cpath, Path path) throws IOException {
        MemorySegment capture = captureSegment(arena);
        MemorySegment buf = arena.allocate(STATX_SIZE, 8);
        int rc;
        try {
            rc = (int) Statx.H.invokeExact(capture, AT_FDCWD, cpath, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("statx", path, errno(capture));
        }
        // One bulk copy, then plain array reads: with a segment access per field, C1 inlined a chain of var
        // handle methods for each, and compiling this method took 8 MiB of compiler arena, which HotSpot's
        // chunk pool then keeps for up to 5 seconds (a visible part of a save's peak RSS).
        long[] w = new long[STATX_WORDS];
        MemorySegment.copy(buf, JAVA_LONG, 0, w, 0, STATX_WORDS);
        return new FileStat(
                mode(half(w, 28)),
                half(w, 20),
                half(w, 24),
                makedev((int) half(w, 136), (int) half(w, 140)),
                w[32 / 8],
                half(w, 16),
                makedev((int) half(w, 128), (int) half(w, 132)),
                w[40 / 8],
                nanos(w, 64),
                nanos(w, 112),
                nanos(w, 96));
    }

    /** struct statx up to stx_dev_minor, in native-order words. */
    private static final int STATX_WORDS = 144 / 8;
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** The unsigned 32-bit field at byte offset {@code at} (a multiple of 4) of the native-order words. */
    private static long half(long[] w, int at) {
        long word = w[at >>> 3];
        boolean high = ((at & 4) != 0) == LITTLE;
        return (high ? word >>> 32 : word) & 0xffffffffL;
    }

    /** stx_mode: the first 16 bits of the 32 at offset 28 (then a spare 16). */
    private static int mode(long at28) {
        return (int) (LITTLE ? at28 & 0xffff : at28 >>> 16);
    }

    /** A struct statx_timestamp (seconds, then nanoseconds) in nanoseconds. */
    private static long nanos(long[] w, int at) {
        return w[at >>> 3] * 1_000_000_000L + half(w, at + 8);
    }

    /** glibc's makedev: the dev_t that stat(2) reports, so ids match those java.nio.file reported before. */
    private static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return (ma & 0xfffL) << 8 | (ma & 0xfffff000L) << 32 | mi & 0xffL | (mi & 0xffffff00L) << 12;
    }

    // ---- symlinks --------------------------------------------------------------------------------

    private static final class Readlink {
        static final MethodHandle H = errnoCall("readlink", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS,
                JAVA_LONG));
    }

    /** The raw bytes of the symlink's target. */
    static byte[] readlink(Arena arena, MemorySegment cpath, Path path) throws IOException {
        MemorySegment capture = captureSegment(arena);
        for (long size = 256; ; size *= 4) {
            MemorySegment buffer = arena.allocate(size);
            long n;
            try {
                n = (long) Readlink.H.invokeExact(capture, cpath, buffer, size);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                throw error("readlink", path, errno(capture));
            }
            if (n < size) {
                return buffer.asSlice(0, n).toArray(JAVA_BYTE);
            }
        }
    }

    // ---- xattrs ----------------------------------------------------------------------------------

    private static final class Llistxattr {
        static final MethodHandle H = errnoCall("llistxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS,
                JAVA_LONG));
    }

    private static final class Lgetxattr {
        static final MethodHandle H = errnoCall("lgetxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS,
                ADDRESS, JAVA_LONG));
    }

    private static final class Lsetxattr {
        static final MethodHandle H = errnoCall("lsetxattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class Lremovexattr {
        static final MethodHandle H = errnoCall("lremovexattr", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                ADDRESS));
    }

    /** The names llistxattr returns, in its order; empty if the file system has no xattrs. */
    static List<byte[]> listXattrNames(Arena arena, MemorySegment cpath, Path path) throws IOException {
        MemorySegment capture = captureSegment(arena);
        long size = 1024;
        while (true) {
            MemorySegment buffer = arena.allocate(size);
            long n;
            try {
                n = (long) Llistxattr.H.invokeExact(capture, cpath, buffer, size);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) {
                return splitNames(buffer.asSlice(0, n).toArray(JAVA_BYTE));
            }
            int errno = errno(capture);
            if (errno == EOPNOTSUPP) {
                return List.of();
            }
            if (errno != ERANGE) {
                throw error("llistxattr", path, errno);
            }
            try {
                n = (long) Llistxattr.H.invokeExact(capture, cpath, MemorySegment.NULL, 0L);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                throw error("llistxattr", path, errno(capture));
            }
            size = Math.max(n, size * 2);
        }
    }

    private static List<byte[]> splitNames(byte[] list) {
        List<byte[]> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < list.length; i++) {
            if (list[i] == 0) {
                if (i > start) {
                    names.add(Arrays.copyOfRange(list, start, i));
                }
                start = i + 1;
            }
        }
        return names;
    }

    /** The xattr's value, or null if it does not exist (it may have been removed since it was listed). */
    static byte[] getXattr(Arena arena, MemorySegment cpath, Path path, byte[] name) throws IOException {
        MemorySegment capture = captureSegment(arena);
        MemorySegment cname = cString(arena, name);
        long size = 256;
        while (true) {
            MemorySegment buffer = arena.allocate(size);
            long n;
            try {
                n = (long) Lgetxattr.H.invokeExact(capture, cpath, cname, buffer, size);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) {
                return buffer.asSlice(0, n).toArray(JAVA_BYTE);
            }
            int errno = errno(capture);
            if (errno == ENODATA) {
                return null;
            }
            if (errno != ERANGE) {
                throw error("lgetxattr " + new String(name, StandardCharsets.UTF_8), path, errno);
            }
            try {
                n = (long) Lgetxattr.H.invokeExact(capture, cpath, cname, MemorySegment.NULL, 0L);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n < 0) {
                throw error("lgetxattr " + new String(name, StandardCharsets.UTF_8), path, errno(capture));
            }
            size = Math.max(n, size * 2);
        }
    }

    static void setXattr(Arena arena, MemorySegment cpath, Path path, byte[] name, byte[] value)
            throws IOException {
        MemorySegment capture = captureSegment(arena);
        MemorySegment cname = cString(arena, name);
        MemorySegment cvalue = arena.allocate(Math.max(1, value.length));
        MemorySegment.copy(value, 0, cvalue, JAVA_BYTE, 0, value.length);
        int rc;
        try {
            rc = (int) Lsetxattr.H.invokeExact(capture, cpath, cname, cvalue, (long) value.length, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("lsetxattr " + new String(name, StandardCharsets.UTF_8), path, errno(capture));
        }
    }

    static void removeXattr(Arena arena, MemorySegment cpath, Path path, byte[] name) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc;
        try {
            rc = (int) Lremovexattr.H.invokeExact(capture, cpath, cString(arena, name));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("lremovexattr " + new String(name, StandardCharsets.UTF_8), path, errno(capture));
        }
    }

    // ---- chattr flags ----------------------------------------------------------------------------

    private static final class Open {
        static final MethodHandle H = downcall(LINKER.defaultLookup(), "open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    }

    private static final class Close {
        static final MethodHandle H = downcall(LINKER.defaultLookup(), "close",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final int POSIX_FADV_WILLNEED = 3;

    private static final class Fadvise {
        static final MethodHandle H = downcall(LINKER.defaultLookup(), "posix_fadvise",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    private static final class Ioctl {
        static final MethodHandle H = downcall(LINKER.defaultLookup(), "ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    }

    private static boolean flagsUnsupported(int errno) {
        // The file system has no chattr flags (bup treats these the same way).
        return errno == ENOTTY || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL;
    }

    /**
     * The chattr flags of a regular file or directory ({@code FS_IOC_GETFLAGS}), or 0 if the file system
     * has none; with {@code readAhead > 0}, for a regular file about to be read, also a hint through the same open
     * to start reading its first {@code readAhead} bytes into the page cache ({@code posix_fadvise(WILLNEED)},
     * which returns without waiting for the disk).
     */
    static int getLinuxFlags(Arena arena, MemorySegment cpath, Path path, long readAhead) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int fd = open(capture, cpath, path);
        try {
            if (readAhead > 0) {
                willNeed(fd, 0, readAhead);
            }
            MemorySegment flags = arena.allocate(JAVA_LONG);
            int rc = (int) Ioctl.H.invokeExact(capture, fd, FS_IOC_GETFLAGS, flags);
            if (rc != 0) {
                int errno = errno(capture);
                if (flagsUnsupported(errno)) {
                    return 0;
                }
                throw error("ioctl FS_IOC_GETFLAGS", path, errno);
            }
            return flags.get(JAVA_INT, 0);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            close(fd);
        }
    }

    /** Sets the chattr flags bup would restore: the settable ones, keeping the current extent flag. */
    static void setLinuxFlags(Arena arena, MemorySegment cpath, Path path, int wanted) throws IOException {
        int fd = open(captureSegment(arena), cpath, path);
        try {
            setLinuxFlags(arena, fd, path, wanted);
        } finally {
            close(fd);
        }
    }

    /** {@link #setLinuxFlags(Arena, MemorySegment, Path, int)} on an open file. */
    static void setLinuxFlags(Arena arena, int fd, Path path, int wanted) throws IOException {
        MemorySegment capture = captureSegment(arena);
        try {
            MemorySegment flags = arena.allocate(JAVA_LONG);
            int rc = (int) Ioctl.H.invokeExact(capture, fd, FS_IOC_GETFLAGS, flags);
            if (rc != 0) {
                throw error("ioctl FS_IOC_GETFLAGS", path, errno(capture));
            }
            int current = flags.get(JAVA_INT, 0);
            int next = (wanted & SETTABLE_FLAGS) | (current & FS_EXTENT_FL);
            if (next == current) {
                return;   // the usual case on restore (only "extents" recorded): spare a journalled inode update
            }
            flags.set(JAVA_LONG, 0, 0L);
            flags.set(JAVA_INT, 0, next);
            rc = (int) Ioctl.H.invokeExact(capture, fd, FS_IOC_SETFLAGS, flags);
            if (rc != 0) {
                throw error("ioctl FS_IOC_SETFLAGS", path, errno(capture));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Opens {@code path} read-only, for an ioctl, without following a symlink. */
    private static int open(MemorySegment capture, MemorySegment cpath, Path path) throws IOException {
        return open(capture, cpath, path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0, "open");
    }

    /** {@code open(2)}; a failure is reported as {@code call} on {@code path}. */
    private static int open(MemorySegment capture, MemorySegment cpath, Path path, int flags, int mode, String call)
            throws IOException {
        int fd;
        try {
            fd = (int) Open.H.invokeExact(capture, cpath, flags, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd < 0) {
            throw error(call, path, errno(capture));
        }
        return fd;
    }

    private static void close(int fd) {
        try {
            // The result is ignored on purpose: a read-only descriptor has nothing to flush, so a failed
            // close loses nothing.
            int rc = (int) Close.H.invokeExact(fd);
            assert rc == 0 || rc == -1 : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- applying --------------------------------------------------------------------------------

    private static final class Utimensat {
        static final MethodHandle H = errnoCall("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
                ADDRESS, JAVA_INT));
    }

    private static final class Lchown {
        static final MethodHandle H = errnoCall("lchown", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT));
    }

    private static final class Chmod {
        static final MethodHandle H = errnoCall("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Mkfifo {
        static final MethodHandle H = errnoCall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Mknod {
        static final MethodHandle H = errnoCall("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_LONG));
    }

    private static final class Futimens {
        static final MethodHandle H = errnoCall("futimens", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    /** Sets atime and mtime (nanoseconds since the epoch) without following a symlink. */
    static void utimens(Arena arena, MemorySegment cpath, Path path, long atimeNanos, long mtimeNanos)
            throws IOException {
        MemorySegment capture = captureSegment(arena);
        MemorySegment times = timespecs(arena, atimeNanos, mtimeNanos);
        int rc;
        try {
            rc = (int) Utimensat.H.invokeExact(capture, AT_FDCWD, cpath, times, AT_SYMLINK_NOFOLLOW);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("utimensat", path, errno(capture));
        }
    }

    /** {@link #utimens(Arena, MemorySegment, Path, long, long)} on an open file. */
    static void utimens(Arena arena, int fd, Path path, long atimeNanos, long mtimeNanos) throws IOException {
        // futimens, not utimensat(fd, NULL, ...): the kernel takes that, but glibc refuses a NULL path.
        MemorySegment capture = captureSegment(arena);
        MemorySegment times = timespecs(arena, atimeNanos, mtimeNanos);
        int rc;
        try {
            rc = (int) Futimens.H.invokeExact(capture, fd, times);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("futimens", path, errno(capture));
        }
    }

    /** {@code struct timespec[2]} {tv_sec, tv_nsec} for atime and mtime. */
    private static MemorySegment timespecs(Arena arena, long atimeNanos, long mtimeNanos) {
        MemorySegment times = arena.allocate(JAVA_LONG, 4);
        times.setAtIndex(JAVA_LONG, 0, Math.floorDiv(atimeNanos, 1_000_000_000L));
        times.setAtIndex(JAVA_LONG, 1, Math.floorMod(atimeNanos, 1_000_000_000L));
        times.setAtIndex(JAVA_LONG, 2, Math.floorDiv(mtimeNanos, 1_000_000_000L));
        times.setAtIndex(JAVA_LONG, 3, Math.floorMod(mtimeNanos, 1_000_000_000L));
        return times;
    }

    /** lchown; -1 leaves that id unchanged. */
    static void lchown(Arena arena, MemorySegment cpath, Path path, long uid, long gid) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc;
        try {
            rc = (int) Lchown.H.invokeExact(capture, cpath, (int) uid, (int) gid);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("lchown " + uid + ":" + gid, path, errno(capture));
        }
    }

    /** chmod with all twelve permission bits (setuid, setgid, sticky included). Follows symlinks. */
    static void chmod(Arena arena, MemorySegment cpath, Path path, int permissions) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc;
        try {
            rc = (int) Chmod.H.invokeExact(capture, cpath, permissions & 07777);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("chmod " + Integer.toOctalString(permissions & 07777), path, errno(capture));
        }
    }

    // ---- regular files by descriptor (restore: content, then metadata, through one open) ----------------

    private static final class Fchown {
        static final MethodHandle H = errnoCall("fchown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT));
    }

    private static final class Fchmod {
        static final MethodHandle H = errnoCall("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Pwrite {
        static final MethodHandle H = errnoCall("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
                JAVA_LONG, JAVA_LONG));
    }

    private static final class SyncFileRange {
        static final MethodHandle H = errnoCall("sync_file_range", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
                JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    private static final class CloseWritten {
        static final MethodHandle H = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    /**
     * Opens a regular file for writing without following a symlink: with {@code create}, a new one
     * (owner-only, failing with {@link FileAlreadyExistsException} if anything is there), else an existing one.
     */
    static int openForWriting(Arena arena, MemorySegment cpath, Path path, boolean create) throws IOException {
        int flags = O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
        return open(captureSegment(arena), cpath, path, flags, 0600, create ? "create" : "open");
    }

    /** Writes {@code length} bytes from native memory at {@code position}; returns how many were written. */
    static long pwrite(Arena arena, int fd, Path path, MemorySegment data, long length, long position)
            throws IOException {
        MemorySegment capture = captureSegment(arena);
        long n;
        try {
            n = (long) Pwrite.H.invokeExact(capture, fd, data, length, position);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (n < 0) {
            throw error("write", path, errno(capture));
        }
        return n;
    }

    private static final int SYNC_FILE_RANGE_WRITE = 2;
    private static final int POSIX_FADV_DONTNEED = 4;

    /** Lets the kernel drop the file's clean cached pages now ({@code posix_fadvise(DONTNEED)}); only a hint. */
    static void dropCached(int fd) {
        fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    }

    /** Asks the kernel to start reading a range into the page cache ({@code posix_fadvise(WILLNEED)}); a hint. */
    static void willNeed(int fd, long offset, long length) {
        fadvise(fd, offset, length, POSIX_FADV_WILLNEED);
    }

    private static void fadvise(int fd, long offset, long length, int advice) {
        try {
            // Only a hint: its result is ignored (a file system without it just reads or keeps pages as before).
            int ignored = (int) Fadvise.H.invokeExact(fd, offset, length, advice);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Opens a file read-only, for page-cache hints on it ({@link #startWriteback}, {@link #dropCached}): no symlink
     * followed, nothing else done to it.
     */
    static int openForHints(Arena arena, MemorySegment cpath, Path path) throws IOException {
        return open(captureSegment(arena), cpath, path);
    }

    /**
     * Starts writing the dirty pages of {@code [offset, offset+length)} to disk and returns without waiting for
     * them ({@code sync_file_range} with {@code SYNC_FILE_RANGE_WRITE}): it makes no data durable by itself.
     */
    static void startWriteback(Arena arena, int fd, Path path, long offset, long length) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc;
        try {
            rc = (int) SyncFileRange.H.invokeExact(capture, fd, offset, length, SYNC_FILE_RANGE_WRITE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("sync_file_range", path, errno(capture));
        }
    }

    /** Closes a file that was written to: unlike a read-only one, its close can report a lost write. */
    static void closeWritten(Arena arena, int fd, Path path) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc;
        try {
            rc = (int) CloseWritten.H.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("close", path, errno(capture));   // the descriptor is gone either way (Linux)
        }
    }

    /** {@link #lchown} on an open file. */
    static void fchown(Arena arena, int fd, Path path, long uid, long gid) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc;
        try {
            rc = (int) Fchown.H.invokeExact(capture, fd, (int) uid, (int) gid);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("chown " + uid + ":" + gid, path, errno(capture));
        }
    }

    /** {@link #chmod} on an open file. */
    static void fchmod(Arena arena, int fd, Path path, int permissions) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc;
        try {
            rc = (int) Fchmod.H.invokeExact(capture, fd, permissions & 07777);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("chmod " + Integer.toOctalString(permissions & 07777), path, errno(capture));
        }
    }

    static void mkfifo(Arena arena, MemorySegment cpath, Path path, int permissions) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc;
        try {
            rc = (int) Mkfifo.H.invokeExact(capture, cpath, permissions);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc != 0) {
            throw error("mkfifo", path, errno(capture));
        }
    }

    static void mknod(Arena arena, MemorySegment cpath, Path path, int mode, long rdev) throws IOException {
        MemorySegment capture = captureSegment(arena);
        int rc = mknodRaw(capture, cpath, mode, rdev);
        if (rc != 0) {
            throw error("mknod", path, errno(capture));
        }
    }

    private static int mknodRaw(MemorySegment capture, MemorySegment cpath, int mode, long rdev) {
        try {
            return (int) Mknod.H.invokeExact(capture, cpath, mode, rdev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Creates a socket file: mknod, or, where that is refused (as bup does), by binding a Unix-domain
     * socket there and closing it.
     */
    static void makeSocket(Arena arena, MemorySegment cpath, Path path, int mode) throws IOException {
        MemorySegment capture = captureSegment(arena);
        if (mknodRaw(capture, cpath, mode, 0) == 0) {
            return;
        }
        int errno = errno(capture);
        if (errno != EPERM && errno != EINVAL) {
            throw error("mknod", path, errno);
        }
        try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.bind(UnixDomainSocketAddress.of(path));
        }
    }
}
