package dev.burrow.core.meta;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A regular file open for writing, so that a restore writes its content and then applies its metadata
 * ({@link Metadata#applyTo(OpenFile, ApplyOptions)}) through one open: on Linux through the file descriptor
 * (ownership, mode, times and chattr flags by descriptor, no path lookups), elsewhere through a
 * {@link FileChannel} and paths; or, on Linux, a file open read-only for page-cache hints only (a pack being
 * written, see {@link #openForHints}). Never follows a symlink at its path. Used by one thread at a time.
 */
public final class OpenFile implements Closeable {
    /*
     * Why not a FileChannel on Linux too: a restore opened each file three times (to create it, to write it,
     * and to set its chattr flags) and looked its path up three more times (lchown, chmod, utimensat); per file
     * of the 1 GiB benchmark set that was a third of the restore's system time. A channel hides its descriptor.
     */

    private final Path path;
    /** The descriptor on Linux, else -1 and {@link #channel} is used. */
    private final int fd;
    private final FileChannel channel;
    private boolean closed;

    private OpenFile(Path path, int fd, FileChannel channel) {
        this.path = path;
        this.fd = fd;
        this.channel = channel;
    }

    /**
     * Creates a new, empty, owner-only file at {@code path}.
     *
     * @throws FileAlreadyExistsException if anything (a symlink included) is at {@code path}
     */
    public static OpenFile createNew(Path path) throws IOException {
        return open(path, true);
    }

    /** Opens the existing regular file at {@code path} for writing, without truncating it. */
    public static OpenFile openExisting(Path path) throws IOException {
        return open(path, false);
    }

    /**
     * Opens the existing file at {@code path} read-only, for the page-cache hints ({@link #startWriteback},
     * {@link #dropCached}); null where there are none (not Linux). Never follows a symlink.
     */
    public static OpenFile openForHints(Path path) throws IOException {
        if (!Posix.isSupported()) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            return new OpenFile(path, Posix.openForHints(arena, Posix.cPath(arena, path), path), null);
        }
    }

    private static OpenFile open(Path path, boolean create) throws IOException {
        if (!Posix.isSupported()) {
            FileChannel channel = create
                    ? FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : FileChannel.open(path, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            return new OpenFile(path, -1, channel);
        }
        try (Arena arena = Arena.ofConfined()) {
            return new OpenFile(path, Posix.openForWriting(arena, Posix.cPath(arena, path), path, create), null);
        }
    }

    public Path path() {
        return path;
    }

    /** The descriptor, or -1 when this file is written through a channel. */
    int descriptor() {
        return fd;
    }

    /**
     * Writes all of {@code data}'s remaining bytes at {@code position} in the file; {@code data}'s position
     * ends at its limit.
     */
    public void write(ByteBuffer data, long position) throws IOException {
        if (channel != null) {
            long pos = position;
            while (data.hasRemaining()) {
                pos += channel.write(data, pos);
            }
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes;
            if (data.isDirect()) {
                bytes = MemorySegment.ofBuffer(data);
            } else {
                // A plain downcall takes native memory only; heap buffers are the rare path (objects read by JGit).
                bytes = arena.allocate(data.remaining());
                MemorySegment.copy(MemorySegment.ofBuffer(data), 0, bytes, 0, data.remaining());
            }
            long done = 0;
            long length = bytes.byteSize();
            while (done < length) {
                long n = Posix.pwrite(arena, fd, path, bytes.asSlice(done), length - done, position + done);
                if (n == 0) {
                    throw new IOException(path + ": write made no progress at offset " + (position + done));
                }
                done += n;
            }
            data.position(data.limit());
        }
    }

    /**
     * Asks the kernel to start writing {@code [offset, offset+length)} to disk now rather than when its dirty pages
     * expire (30 s on Linux) or an fsync comes: a writer that syncs at the end then waits only for the last part.
     * Returns without waiting for the disk; durability still needs the fsync. Does nothing where there is no such
     * call (files written through a channel).
     */
    public void startWriteback(long offset, long length) throws IOException {
        if (channel != null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Posix.startWriteback(arena, fd, path, offset, length);
        }
    }

    /**
     * Lets the kernel drop this file's cached pages that are already on disk (after an fsync: all of them), so
     * that the memory is free again at once instead of when the page cache is next short. Does nothing where
     * there is no such call.
     */
    public void dropCached() {
        if (channel == null) {
            Posix.dropCached(fd);
        }
    }

    /** Closes the file; a failure here may mean written data was lost, so it is reported. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (channel != null) {
            channel.close();
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Posix.closeWritten(arena, fd, path);
        }
    }

    @Override
    public String toString() {
        return "OpenFile[" + path + "]";
    }
}
