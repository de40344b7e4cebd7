package dev.burrow.core.backup;

import dev.burrow.core.meta.FileStat;
import dev.burrow.core.split.HashSplitter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.BlockingQueue;

/**
 * Reads regular files, in walk order, into the block ring, and hands each read to the splitter as a
 * {@link Segment}. Runs on one virtual thread: it blocks on the file system and on free blocks, and does no
 * computing beyond copying.
 *
 * <p>A segment ends where bup's 8 MiB reads end (or at end of file), because bup's splitting depends on
 * where its reads fall. A file continued in a new block gets the last {@link HashSplitter#BLOB_MAX} bytes of
 * the old block copied in front of its new data: the splitter's unconsumed tail is always shorter, so the
 * bytes it still needs are contiguous again.
 */
final class SaveReader {
    // Off-heap, so it counts in full in the RSS; 256 KiB reads cost a few thousand more syscalls per GiB than
    // 1 MiB ones, which is nothing beside the copies, and keep 768 KiB less resident.
    private static final int IO_BUFFER = 256 << 10;

    /** A file to read and, once done, how its reading went; the writer receives it at the file's end. */
    static final class FileRead {
        enum Status { OK, VANISHED, DENIED, FAILED }

        static final FileRead END = new FileRead(null, 0, 0, 0, 0);

        final Path path;
        final long expectedSize;
        final long mtimeNanos;
        final long ctimeNanos;
        /** Bytes of it fetched ahead ({@link ReadAhead}), given back once it is read. */
        final long readAhead;
        // Set by the reader before the file's last segment is queued; read by the writer after the file's
        // end comes through the chunk stream, which orders the two.
        Status status = Status.OK;
        String failure;
        long bytesRead;
        boolean changed;

        FileRead(Path path, long expectedSize, long mtimeNanos, long ctimeNanos, long readAhead) {
            this.path = path;
            this.expectedSize = expectedSize;
            this.mtimeNanos = mtimeNanos;
            this.ctimeNanos = ctimeNanos;
            this.readAhead = readAhead;
        }
    }

    /**
     * New bytes {@code block.data[from, end)} of a file; the block is held once for the segment. {@code readEnds}:
     * the segment ends one of bup's 8 MiB reads (or the file); else the read goes on in the next segment.
     */
    record Segment(FileRead file, Block block, int from, int end, boolean first, boolean carried, boolean eof,
                   boolean readEnds) {
        static final Segment END = new Segment(null, null, 0, 0, false, false, true, true);
    }

    private final BlockingQueue<FileRead> files;
    private final BlockingQueue<Segment> segments;
    private final Block.Pool blocks;
    private final ReadAhead readAhead;
    private final SaveProgress progress;
    private final ByteBuffer io = ByteBuffer.allocateDirect(IO_BUFFER);
    private Block current;

    SaveReader(BlockingQueue<FileRead> files, BlockingQueue<Segment> segments, Block.Pool blocks,
               ReadAhead readAhead, SaveProgress progress) {
        this.files = files;
        this.segments = segments;
        this.blocks = blocks;
        this.readAhead = readAhead;
        this.progress = progress;
    }

    void run() throws InterruptedException, IOException {
        try {
            while (true) {
                FileRead f = files.take();
                if (f == FileRead.END) {
                    segments.put(Segment.END);
                    return;
                }
                try {
                    read(f);
                } finally {
                    readAhead.release(f.readAhead);
                }
            }
        } finally {
            if (current != null) {
                current.release();
            }
        }
    }

    private void read(FileRead f) throws InterruptedException, IOException {
        progress.working(f.path);
        FileChannel ch;
        try {
            ch = FileChannel.open(f.path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            failed(f, FileRead.Status.VANISHED, null);
            return;
        } catch (AccessDeniedException e) {
            failed(f, FileRead.Status.DENIED, null);
            return;
        } catch (ClosedByInterruptException e) {
            throw interrupted(e);
        } catch (IOException e) {
            failed(f, FileRead.Status.FAILED, reason(e));
            return;
        }
        try (ch) {
            readOpen(f, ch);
        } catch (ClosedByInterruptException | InterruptedIOException e) {
            throw interrupted(e);
        } catch (IOException e) {
            // The file's segments so far are queued; its end says it failed, and the writer skips it.
            failed(f, FileRead.Status.FAILED, reason(e));
        }
    }

    private static InterruptedException interrupted(IOException e) {
        InterruptedException ie = new InterruptedException("save interrupted");
        ie.initCause(e);
        return ie;
    }

    private void readOpen(FileRead f, FileChannel ch) throws IOException, InterruptedException {
        int first = (int) Math.min(Block.PART, Math.max(f.expectedSize, 0) + 1);
        if (current == null) {
            current = blocks.acquire();   // not before the first file to read: a re-save may read none
        }
        if (Block.SIZE - current.fill < first) {
            nextBlock(0);
        }
        long total = 0;
        int inRead = 0;   // bytes of bup's current 8 MiB read in earlier segments
        int from = current.fill;
        boolean isFirst = true;
        boolean carried = false;
        while (true) {
            int got = 0;
            boolean eof = false;
            while (inRead + got < HashSplitter.READ_SIZE && from + got < Block.SIZE) {
                int at = from + got;
                io.clear();
                io.limit(Math.min(io.capacity(), Math.min(Block.SIZE - at, HashSplitter.READ_SIZE - inRead - got)));
                int n = ch.read(io);
                if (n < 0) {
                    eof = true;
                    break;
                }
                io.flip();
                io.get(current.data, at, n);
                got += n;
            }
            total += got;
            inRead += got;
            if (got > 0) {
                progress.read(got);
            }
            int end = from + got;
            if (eof) {
                f.bytesRead = total;
                f.changed = changedSince(f, total);
            }
            boolean readEnds = eof || inRead == HashSplitter.READ_SIZE;
            current.retain();
            segments.put(new Segment(f, current, from, end, isFirst, carried, eof, readEnds));
            if (eof) {
                current.fill = end;
                return;
            }
            if (readEnds) {
                inRead = 0;
            }
            int carry = (int) Math.min(HashSplitter.BLOB_MAX, total);
            Block old = current;
            current = blocks.acquire();
            System.arraycopy(old.data, end - carry, current.data, 0, carry);
            old.release();
            from = carry;
            isFirst = false;
            carried = true;
        }
    }

    private void nextBlock(int keep) throws InterruptedException {
        current.release();
        current = blocks.acquire();
        current.fill = keep;
    }

    private void failed(FileRead f, FileRead.Status status, String failure) throws InterruptedException {
        f.status = status;
        f.failure = failure;
        segments.put(new Segment(f, null, 0, 0, false, false, true, true));
    }

    /** True when size, mtime or ctime differ from what was read: one lstat, without xattr and ACL calls. */
    private static boolean changedSince(FileRead f, long read) {
        try {
            FileStat st = FileStat.of(f.path);
            return st.size() != read || st.mtimeNanos() != f.mtimeNanos || st.ctimeNanos() != f.ctimeNanos;
        } catch (IOException e) {
            return true;
        }
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
