package dev.burrow.core.meta;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongUnaryOperator;
import java.util.function.ToLongFunction;

/**
 * The metadata of one file as bup 0.33.7 records it: one entry of a {@code .bupm} stream.
 *
 * <p>An instance comes from the file system ({@link #fromPath}), from a stored entry ({@link #decode}),
 * or from a {@link Builder}. It is immutable and thread safe; every accessor returning an array returns
 * a copy. Names, link targets and xattrs are raw bytes, as on disk.
 *
 * <p>The entry format (bup's {@code lib/bup/metadata.py}): records of {@code vuint tag, bvec payload},
 * ended by tag 0. Written: 10 (common: mode, ids, names, rdev, times, size), 3 (symlink target), 8
 * (hardlink target), 11 (POSIX.1e ACL), 6 (chattr flags), 7 (xattrs), each only when not empty or
 * zero. Read: the same plus the legacy common records 2 and 9 and ACL record 4; unknown tags are
 * skipped. {@link #equals} compares the fields that are encoded; device, inode and link count are not.
 */
public final class Metadata {
    private static final System.Logger LOG = System.getLogger(Metadata.class.getName());

    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 0060000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;

    private static final int TAG_END = 0;
    private static final int TAG_COMMON_V1 = 2;
    private static final int TAG_SYMLINK_TARGET = 3;
    private static final int TAG_POSIX1E_ACL_V1 = 4;
    private static final int TAG_LINUX_ATTR = 6;
    private static final int TAG_LINUX_XATTR = 7;
    private static final int TAG_HARDLINK_TARGET = 8;
    private static final int TAG_COMMON_V2 = 9;
    private static final int TAG_COMMON_V3 = 10;
    private static final int TAG_POSIX1E_ACL_V2 = 11;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final byte[] NO_BYTES = new byte[0];
    private static final AtomicBoolean WARNED_NO_ACL = new AtomicBoolean();
    private static final Metadata EMPTY = new Builder().build();

    private final int mode;
    private final long uid;
    private final long gid;
    private final byte[] user;
    private final byte[] group;
    private final long rdev;
    private final long atimeNanos;
    private final long mtimeNanos;
    private final long ctimeNanos;
    private final long size;
    private final byte[] symlinkTarget;
    private final byte[] hardlinkTarget;
    private final List<byte[]> posix1eAcl;
    private final long linuxAttr;
    private final List<ExtendedAttribute> xattrs;
    private final long device;
    private final long inode;
    private final long linkCount;
    private final long statSize;

    private Metadata(Builder b) {
        mode = b.mode;
        uid = b.uid;
        gid = b.gid;
        user = b.user;
        group = b.group;
        rdev = b.rdev;
        atimeNanos = b.atimeNanos;
        mtimeNanos = b.mtimeNanos;
        ctimeNanos = b.ctimeNanos;
        size = b.size;
        symlinkTarget = b.symlinkTarget;
        hardlinkTarget = b.hardlinkTarget;
        posix1eAcl = b.posix1eAcl == null ? null : List.copyOf(b.posix1eAcl);
        linuxAttr = b.linuxAttr;
        xattrs = List.copyOf(b.xattrs);
        device = b.device;
        inode = b.inode;
        linkCount = b.linkCount;
        statSize = b.statSize;
    }

    /** bup's "no information" entry, encoded as the single byte 0x00 (e.g. for grafted directories). */
    public static Metadata empty() {
        return EMPTY;
    }

    /** A builder with every field empty, zero, or -1 for the size. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this instance's fields. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    // ---- reading from the file system --------------------------------------------------------------

    /**
     * Reads the metadata of {@code path} itself, never following a symlink: lstat fields, user and group
     * names, rdev for devices, the symlink target (and its length as size), the POSIX.1e ACL when it is
     * extended, chattr flags of regular files and directories, and every xattr llistxattr returns. The
     * size is otherwise -1: the saver sets it with {@link #withSize} once it has read the content. If the
     * chattr flags cannot be read for lack of permission they are left out with a logged warning, as bup
     * does. Blocks on file system calls; safe to call from many threads.
     *
     * @throws java.nio.file.NoSuchFileException if {@code path} does not exist
     * @throws java.nio.file.AccessDeniedException if a part may not be read
     * @throws IOException any other failure, naming the path
     * @throws UnsupportedOperationException on platforms other than 64-bit Linux
     */
    public static Metadata fromPath(Path path) throws IOException {
        return fromPath(path, null);
    }

    /**
     * As {@link #fromPath(Path)}, but for a regular file or directory whose lstat fields {@code knownAttr}
     * recognises: it is given the metadata read so far (lstat fields and names only) and returns the chattr
     * flags, meaning that the file or directory has neither xattrs nor an ACL, or -1 if it does not know them.
     * Then those are not read, which saves the open, ioctl and xattr calls of every unchanged entry in a
     * re-save. The caller vouches for the answer; the filesystem index does, by its ctime (setting an xattr,
     * an ACL or a flag changes the ctime).
     */
    public static Metadata fromPath(Path path, ToLongFunction<Metadata> knownAttr) throws IOException {
        return fromPath(path, knownAttr, null);
    }

    /**
     * As {@link #fromPath(Path, ToLongFunction)}, for a caller that will read a regular file's content soon unless
     * {@code knownAttr} recognises it: {@code readAhead} is given the file's size and returns how many of its first
     * bytes the kernel is to start reading into the page cache now, through the open that reads the chattr flags
     * (Linux {@code posix_fadvise(WILLNEED)}: a hint that returns without waiting for the disk). Null: none.
     */
    public static Metadata fromPath(Path path, ToLongFunction<Metadata> knownAttr, LongUnaryOperator readAhead)
            throws IOException {
        Objects.requireNonNull(path, "path");
        if (!Posix.isSupported()) {
            throw new UnsupportedOperationException(Posix.UNSUPPORTED_REASON);
        }
        Builder b = new Builder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpath = Posix.cPath(arena, path);
            FileStat st = Posix.lstat(arena, cpath, path);
            b.mode = st.mode();
            b.uid = st.uid();
            b.gid = st.gid();
            b.user = Accounts.userName(b.uid);
            b.group = Accounts.groupName(b.gid);
            int type = b.mode & S_IFMT;
            // Like bup: rdev only where mknod needs it; other types' rdev is not stable across copies.
            b.rdev = type == S_IFCHR || type == S_IFBLK ? st.rdev() : 0;
            b.atimeNanos = st.atimeNanos();
            b.mtimeNanos = st.mtimeNanos();
            b.ctimeNanos = st.ctimeNanos();
            b.device = st.device();
            b.inode = st.inode();
            b.linkCount = st.linkCount();
            b.statSize = st.size();
            if (knownAttr != null && (type == S_IFREG || type == S_IFDIR)) {
                long attr = knownAttr.applyAsLong(b.build());
                if (attr >= 0) {
                    b.linuxAttr = attr;
                    return b.build();
                }
            }
            if (type == S_IFLNK) {
                b.symlinkTarget = Posix.readlink(arena, cpath, path);
                b.size = b.symlinkTarget.length;
            } else {
                b.posix1eAcl = readAcl(arena, cpath, path, type == S_IFDIR);
            }
            if (type == S_IFREG || type == S_IFDIR) {
                long ahead = type == S_IFREG && readAhead != null ? readAhead.applyAsLong(st.size()) : 0;
                b.linuxAttr = readLinuxFlags(arena, cpath, path, ahead);
            }
            for (byte[] name : Posix.listXattrNames(arena, cpath, path)) {
                byte[] value = Posix.getXattr(arena, cpath, path, name);
                if (value != null) { // else removed since it was listed
                    b.xattrs.add(new ExtendedAttribute(name, value));
                }
            }
        }
        return b.build();
    }

    private static List<byte[]> readAcl(Arena arena, MemorySegment cpath, Path path, boolean directory)
            throws IOException {
        if (!PosixAcl.isAvailable()) {
            if (!WARNED_NO_ACL.getAndSet(true)) {
                LOG.log(System.Logger.Level.WARNING, "POSIX ACLs are not saved: {0}", PosixAcl.unavailabilityCause());
            }
            return null;
        }
        return PosixAcl.read(arena, cpath, path, directory);
    }

    private static long readLinuxFlags(Arena arena, MemorySegment cpath, Path path, long readAhead)
            throws IOException {
        try {
            return Integer.toUnsignedLong(Posix.getLinuxFlags(arena, cpath, path, readAhead));
        } catch (AccessDeniedException e) {
            // The flags need an open file, e.g. not possible for a mode 0300 directory unless root. Like bup,
            // record everything else rather than nothing.
            LOG.log(System.Logger.Level.WARNING, "chattr flags not recorded: {0}", e.getMessage());
            return 0;
        }
    }

    // ---- derived instances -----------------------------------------------------------------------------

    /** A copy with {@code size} (-1 for "not recorded"). */
    public Metadata withSize(long size) {
        Builder b = toBuilder();
        b.size(size);
        return b.build();
    }

    /** A copy whose hardlink target (record 8) is {@code absolutePath}; null or empty removes it. */
    public Metadata withHardlinkTarget(byte[] absolutePath) {
        Builder b = toBuilder();
        b.hardlinkTarget(absolutePath);
        return b.build();
    }

    // ---- encoding --------------------------------------------------------------------------------------

    /** This entry in bup's byte format, ending with the tag-0 byte. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96 + xattrBytes());
        if (mode != 0) {
            ByteArrayOutputStream common = new ByteArrayOutputStream(48 + user.length + group.length);
            Vint.writeVint(common, Integer.toUnsignedLong(mode));
            Vint.writeVint(common, uid);
            Vint.writeBvec(common, user);
            Vint.writeVint(common, gid);
            Vint.writeBvec(common, group);
            Vint.writeVint(common, rdev);
            writeTime(common, atimeNanos);
            writeTime(common, mtimeNanos);
            writeTime(common, ctimeNanos);
            Vint.writeVint(common, size);
            record(out, TAG_COMMON_V3, common.toByteArray());
        }
        if (symlinkTarget != null && symlinkTarget.length > 0) {
            record(out, TAG_SYMLINK_TARGET, symlinkTarget);
        }
        if (hardlinkTarget != null && hardlinkTarget.length > 0) {
            record(out, TAG_HARDLINK_TARGET, hardlinkTarget);
        }
        if (posix1eAcl != null && !posix1eAcl.isEmpty()) {
            ByteArrayOutputStream acl = new ByteArrayOutputStream();
            for (int i = 0; i < 4; i++) {
                Vint.writeBvec(acl, i < posix1eAcl.size() ? posix1eAcl.get(i) : NO_BYTES);
            }
            record(out, TAG_POSIX1E_ACL_V2, acl.toByteArray());
        }
        if (linuxAttr != 0) {
            record(out, TAG_LINUX_ATTR, Vint.encodeVuint(linuxAttr));
        }
        if (!xattrs.isEmpty()) {
            ByteArrayOutputStream x = new ByteArrayOutputStream(8 + xattrBytes());
            Vint.writeVuint(x, xattrs.size());
            for (ExtendedAttribute a : xattrs) {
                Vint.writeBvec(x, a.name);
                Vint.writeBvec(x, a.value);
            }
            record(out, TAG_LINUX_XATTR, x.toByteArray());
        }
        out.write(TAG_END);
        return out.toByteArray();
    }

    private int xattrBytes() {
        int n = 0;
        for (ExtendedAttribute a : xattrs) {
            n += a.name.length + a.value.length + 4;
        }
        return n;
    }

    private static void writeTime(ByteArrayOutputStream out, long nanos) {
        Vint.writeVint(out, Math.floorDiv(nanos, NANOS_PER_SECOND));
        Vint.writeVuint(out, Math.floorMod(nanos, NANOS_PER_SECOND));
    }

    private static void record(ByteArrayOutputStream out, int tag, byte[] payload) {
        Vint.writeVuint(out, tag);
        Vint.writeBvec(out, payload);
    }

    // ---- decoding --------------------------------------------------------------------------------------

    /**
     * Reads one entry from {@code in}, which should be buffered (it is read a byte at a time).
     *
     * @return the entry; {@link #empty()} for a lone 0x00; null if {@code in} is at its end
     * @throws CorruptMetadataException if the entry is truncated or a record is malformed
     */
    public static Metadata decode(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        if (first == TAG_END) {
            return EMPTY;
        }
        Builder b = new Builder();
        try {
            long tag = Vint.continueVuint(in, first);
            while (tag != TAG_END) {
                load(b, tag, Vint.readBvec(in));
                tag = Vint.readVuint(in);
            }
        } catch (EOFException e) {
            throw new CorruptMetadataException("metadata entry is truncated", e);
        }
        return b.build();
    }

    private static void load(Builder b, long tag, byte[] payload) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(payload);
        try {
            switch ((int) Math.min(tag, Integer.MAX_VALUE)) {
                case TAG_COMMON_V1 -> loadCommon(b, in, 1);
                case TAG_COMMON_V2 -> loadCommon(b, in, 2);
                case TAG_COMMON_V3 -> loadCommon(b, in, 3);
                case TAG_SYMLINK_TARGET -> {
                    b.symlinkTarget = payload;
                    if (b.size < 0) {
                        b.size = payload.length;
                    }
                }
                case TAG_HARDLINK_TARGET -> b.hardlinkTarget = payload;
                case TAG_POSIX1E_ACL_V1, TAG_POSIX1E_ACL_V2 -> loadAcl(b, in, tag == TAG_POSIX1E_ACL_V1);
                case TAG_LINUX_ATTR -> b.linuxAttr = Vint.readVuint(in);
                case TAG_LINUX_XATTR -> {
                    long count = Vint.readVuint(in);
                    List<ExtendedAttribute> list = new ArrayList<>();
                    for (long i = 0; i < count; i++) {
                        list.add(new ExtendedAttribute(Vint.readBvec(in), Vint.readBvec(in)));
                    }
                    b.xattrs = list;
                }
                default -> {
                    // Unknown (or the archive-only path record 1): skipped, as bup does.
                }
            }
        } catch (EOFException e) {
            throw new CorruptMetadataException("metadata record " + tag + " is too short", e);
        }
    }

    private static void loadCommon(Builder b, InputStream in, int version) throws IOException {
        boolean signed = version > 1; // v1 wrote mode, ids and rdev as unsigned vuints
        long m = signed ? Vint.readVint(in) : Vint.readVuint(in);
        if (m < 0 || m > 0xFFFF_FFFFL) {
            throw new CorruptMetadataException("metadata mode out of range: " + m);
        }
        b.mode = (int) m;
        b.uid = signed ? Vint.readVint(in) : Vint.readVuint(in);
        b.user = Vint.readBvec(in);
        b.gid = signed ? Vint.readVint(in) : Vint.readVuint(in);
        b.group = Vint.readBvec(in);
        b.rdev = signed ? Vint.readVint(in) : Vint.readVuint(in);
        b.atimeNanos = readTime(in);
        b.mtimeNanos = readTime(in);
        b.ctimeNanos = readTime(in);
        if (version == 3) {
            long s = Vint.readVint(in);
            b.size = s >= 0 ? s : -1;
        }
    }

    private static long readTime(InputStream in) throws IOException {
        long seconds = Vint.readVint(in);
        long nanos = Vint.readVuint(in);
        try {
            return Math.addExact(Math.multiplyExact(seconds, NANOS_PER_SECOND), nanos);
        } catch (ArithmeticException e) {
            throw new CorruptMetadataException("metadata time out of range: " + seconds + " s " + nanos + " ns", e);
        }
    }

    private static void loadAcl(Builder b, InputStream in, boolean version1) throws IOException {
        List<byte[]> texts = new ArrayList<>(4);
        for (int i = 0; i < 4; i++) {
            texts.add(Vint.readBvec(in));
        }
        if (texts.get(2).length == 0) {
            texts = texts.subList(0, 2);
        }
        if (version1) {
            // v1 separated entries with '\n'; convert to ',' unless a name already holds a comma.
            List<byte[]> fixed = new ArrayList<>(texts.size());
            for (byte[] text : texts) {
                for (byte c : text) {
                    if (c == ',') {
                        LOG.log(System.Logger.Level.WARNING, "ignoring v1 ACL record with a comma in an entry");
                        return;
                    }
                }
                byte[] copy = text.clone();
                for (int i = 0; i < copy.length; i++) {
                    if (copy[i] == '\n') {
                        copy[i] = ',';
                    }
                }
                fixed.add(copy);
            }
            texts = fixed;
        }
        b.posix1eAcl = texts;
    }

    // ---- accessors -------------------------------------------------------------------------------------

    /** True for an entry without a common record, e.g. {@link #empty()}: nothing is known about the file. */
    public boolean isEmpty() {
        return mode == 0;
    }

    /** The full {@code st_mode}: file type and permission bits. */
    public int mode() {
        return mode;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    public boolean isFifo() {
        return (mode & S_IFMT) == S_IFIFO;
    }

    public boolean isSocket() {
        return (mode & S_IFMT) == S_IFSOCK;
    }

    public boolean isCharDevice() {
        return (mode & S_IFMT) == S_IFCHR;
    }

    public boolean isBlockDevice() {
        return (mode & S_IFMT) == S_IFBLK;
    }

    public long uid() {
        return uid;
    }

    public long gid() {
        return gid;
    }

    /** The owner's name decoded as UTF-8; empty if unknown. {@link #userBytes()} is exact. */
    public String user() {
        return new String(user, StandardCharsets.UTF_8);
    }

    /** The group's name decoded as UTF-8; empty if unknown. {@link #groupBytes()} is exact. */
    public String group() {
        return new String(group, StandardCharsets.UTF_8);
    }

    public byte[] userBytes() {
        return user.clone();
    }

    public byte[] groupBytes() {
        return group.clone();
    }

    /** The raw {@code st_rdev} of a character or block device; 0 for other types. */
    public long rdev() {
        return rdev;
    }

    public long atimeNanos() {
        return atimeNanos;
    }

    public long mtimeNanos() {
        return mtimeNanos;
    }

    public long ctimeNanos() {
        return ctimeNanos;
    }

    /** Content size of a regular file or symlink; -1 if not recorded. */
    public long size() {
        return size;
    }

    /** The symlink target, or null. */
    public byte[] symlinkTarget() {
        return symlinkTarget == null ? null : symlinkTarget.clone();
    }

    /** The absolute source path this file is a hardlink of, or null. */
    public byte[] hardlinkTarget() {
        return hardlinkTarget == null ? null : hardlinkTarget.clone();
    }

    /** chattr flags ({@code FS_IOC_GETFLAGS}); 0 if none. */
    public long linuxAttr() {
        return linuxAttr;
    }

    /** The xattrs in the order they were listed; unmodifiable. */
    public List<ExtendedAttribute> xattrs() {
        return xattrs;
    }

    /**
     * The POSIX.1e ACL as bup records it: access text, access text with numeric ids, and for directories
     * the same two for the default ACL. Empty if the ACL is not extended (or was not recorded).
     */
    public List<byte[]> posix1eAcl() {
        if (posix1eAcl == null) {
            return List.of();
        }
        List<byte[]> copy = new ArrayList<>(posix1eAcl.size());
        for (byte[] text : posix1eAcl) {
            copy.add(text.clone());
        }
        return List.copyOf(copy);
    }

    /** {@code st_dev} from {@link #fromPath}; 0 when decoded. Not encoded. */
    public long device() {
        return device;
    }

    /** {@code st_ino} from {@link #fromPath}; 0 when decoded. Not encoded. */
    public long inode() {
        return inode;
    }

    /** {@code st_nlink} from {@link #fromPath}; 0 when decoded. Not encoded. */
    public long linkCount() {
        return linkCount;
    }

    /**
     * {@code st_size} as lstat gave it when this was read from the file system, else -1. Not encoded: the
     * recorded size is {@link #size()}, the bytes actually read.
     */
    public long statSize() {
        return statSize;
    }

    /**
     * bup's rule for restoring a hardlink instead of a copy: mode, uid, gid, user, group, rdev, mtime,
     * ctime and size are all equal.
     */
    public boolean sameContentFields(Metadata other) {
        return mode == other.mode && uid == other.uid && gid == other.gid && Arrays.equals(user, other.user)
                && Arrays.equals(group, other.group) && rdev == other.rdev && mtimeNanos == other.mtimeNanos
                && ctimeNanos == other.ctimeNanos && size == other.size;
    }

    // ---- applying --------------------------------------------------------------------------------------

    /**
     * Creates the fifo, socket or device this entry describes at {@code path} (owner-only permissions
     * until {@link #applyTo} sets them). Devices need root.
     *
     * @throws IllegalStateException if this is not a special file
     * @throws java.nio.file.FileAlreadyExistsException if {@code path} exists
     * @throws IOException any other failure, naming the path
     */
    public void createSpecial(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        int type = mode & S_IFMT;
        if (type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR && type != S_IFBLK) {
            throw new IllegalStateException("not a fifo, socket or device: mode 0" + Integer.toOctalString(mode));
        }
        requireSupported();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpath = Posix.cPath(arena, path);
            switch (type) {
                case S_IFIFO -> Posix.mkfifo(arena, cpath, path, 0600);
                case S_IFSOCK -> Posix.makeSocket(arena, cpath, path, S_IFSOCK | 0600);
                default -> Posix.mknod(arena, cpath, path, type | 0600, rdev);
            }
        }
    }

    /**
     * Applies this metadata to the existing {@code path}, whose content has been written: ownership (if
     * {@link ApplyOptions#restoreOwnership()}), permission bits (not for symlinks), the ACL, xattrs,
     * then atime and mtime, then chattr flags. Never follows a symlink at {@code path}.
     *
     * <p>Ownership goes by name when the recorded name exists here (unless {@link
     * ApplyOptions#numericIds()} or the recorded id is 0), else by the recorded id. Xattrs present on
     * the file but not recorded are removed, as bup does, when any xattr is recorded. Times are set
     * after everything that could change them; chattr flags come last because an immutable or
     * append-only flag would make the time update fail. Failures of ownership, ACL, xattrs and flags
     * go to {@link ApplyOptions#warnings()}; failures of permissions and times are thrown. Apply to a
     * directory after its contents are restored, since its mode and times may forbid or undo writes.
     *
     * @throws IOException if the permissions or times cannot be set, naming the path
     */
    public void applyTo(Path path, ApplyOptions options) throws IOException {
        Objects.requireNonNull(path, "path");
        apply(path, -1, options);
    }

    /**
     * {@link #applyTo(Path, ApplyOptions)} for a regular file that was just written: ownership, mode, times and
     * chattr flags through its open descriptor where there is one (the ACL and xattrs by its path). Close it
     * afterwards; closing does not change what was applied.
     */
    public void applyTo(OpenFile file, ApplyOptions options) throws IOException {
        Objects.requireNonNull(file, "file");
        apply(file.path(), file.descriptor(), options);
    }

    /** Applies this metadata to {@code path}, through {@code fd} (open on it) for what can be, unless it is -1. */
    private void apply(Path path, int fd, ApplyOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (isEmpty()) {
            options.warnings().accept(path + ": no metadata recorded, left as restored");
            return;
        }
        int type = mode & S_IFMT;
        if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK && type != S_IFIFO && type != S_IFSOCK
                && type != S_IFCHR && type != S_IFBLK) {
            options.warnings().accept(path + ": unrecognized mode 0" + Integer.toOctalString(mode) + ", not applied");
            return;
        }
        requireSupported();
        try (Arena arena = Arena.ofConfined()) {
            // Through a descriptor only the ACL and xattrs need the path.
            boolean byPath = fd < 0 || (posix1eAcl != null && posix1eAcl.size() >= 2) || !xattrs.isEmpty();
            MemorySegment cpath = byPath ? Posix.cPath(arena, path) : MemorySegment.NULL;
            if (options.restoreOwnership()) {
                applyOwnership(arena, cpath, fd, path, options);
            }
            if (type != S_IFLNK) { // Linux has no lchmod; a symlink's own mode is always 0777
                if (fd >= 0) {
                    Posix.fchmod(arena, fd, path, mode);
                } else {
                    Posix.chmod(arena, cpath, path, mode);
                }
            }
            if (posix1eAcl != null && posix1eAcl.size() >= 2 && type != S_IFLNK) {
                applyAcl(arena, cpath, path, options);
            }
            if (!xattrs.isEmpty()) {
                applyXattrs(arena, cpath, path, options);
            }
            if (fd >= 0) {
                Posix.utimens(arena, fd, path, atimeNanos, mtimeNanos);
            } else {
                Posix.utimens(arena, cpath, path, atimeNanos, mtimeNanos);
            }
            if (linuxAttr != 0 && (type == S_IFREG || type == S_IFDIR)) {
                try {
                    if (fd >= 0) {
                        Posix.setLinuxFlags(arena, fd, path, (int) linuxAttr);
                    } else {
                        Posix.setLinuxFlags(arena, cpath, path, (int) linuxAttr);
                    }
                } catch (IOException e) {
                    options.warnings().accept(e.getMessage() + " (chattr flags 0x" + Long.toHexString(linuxAttr)
                            + ")");
                }
            }
        }
    }

    private void applyOwnership(Arena arena, MemorySegment cpath, int fd, Path path, ApplyOptions options) {
        long newUid = uid;
        long newGid = gid;
        if (!options.numericIds()) {
            // Like bup: id 0 stays 0, whatever it was called on the source machine.
            if (uid != 0 && user.length > 0) {
                long local = Accounts.userId(user);
                newUid = local >= 0 ? local : uid;
            }
            if (gid != 0 && group.length > 0) {
                long local = Accounts.groupId(group);
                newGid = local >= 0 ? local : gid;
            }
        }
        try {
            if (fd >= 0) {
                Posix.fchown(arena, fd, path, newUid, newGid);
            } else {
                Posix.lchown(arena, cpath, path, newUid, newGid);
            }
        } catch (IOException e) {
            options.warnings().accept(e.getMessage());
        }
    }

    private void applyAcl(Arena arena, MemorySegment cpath, Path path, ApplyOptions options) {
        if (!PosixAcl.isAvailable()) {
            options.warnings().accept(path + ": ACL not restored: " + PosixAcl.unavailabilityCause());
            return;
        }
        int offset = options.numericIds() ? 1 : 0;
        byte[] access = posix1eAcl.get(offset);
        byte[] defaults = posix1eAcl.size() >= 4 ? posix1eAcl.get(2 + offset) : NO_BYTES;
        try {
            PosixAcl.apply(arena, cpath, path, access, defaults);
        } catch (IOException e) {
            options.warnings().accept(e.getMessage() + " (ACL " + new String(access, StandardCharsets.UTF_8) + ")");
        }
    }

    private void applyXattrs(Arena arena, MemorySegment cpath, Path path, ApplyOptions options) {
        Set<ByteBuffer> existing = new HashSet<>();
        try {
            for (byte[] name : Posix.listXattrNames(arena, cpath, path)) {
                existing.add(ByteBuffer.wrap(name));
            }
        } catch (IOException e) {
            options.warnings().accept(e.getMessage() + " (xattrs not restored)");
            return;
        }
        for (ExtendedAttribute a : xattrs) {
            try {
                boolean present = existing.remove(ByteBuffer.wrap(a.name));
                if (!present || !Arrays.equals(a.value, Posix.getXattr(arena, cpath, path, a.name))) {
                    Posix.setXattr(arena, cpath, path, a.name, a.value);
                }
            } catch (IOException e) {
                options.warnings().accept(e.getMessage());
            }
        }
        for (ByteBuffer name : existing) {
            try {
                Posix.removeXattr(arena, cpath, path, name.array());
            } catch (IOException e) {
                options.warnings().accept(e.getMessage());
            }
        }
    }

    private static void requireSupported() {
        if (!Posix.isSupported()) {
            throw new UnsupportedOperationException(Posix.UNSUPPORTED_REASON);
        }
    }

    // ---- identity --------------------------------------------------------------------------------------

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof Metadata m && sameContentFields(m) && atimeNanos == m.atimeNanos
                && Arrays.equals(symlinkTarget, m.symlinkTarget) && Arrays.equals(hardlinkTarget, m.hardlinkTarget)
                && aclEquals(posix1eAcl, m.posix1eAcl) && linuxAttr == m.linuxAttr && xattrs.equals(m.xattrs);
    }

    private static boolean aclEquals(List<byte[]> a, List<byte[]> b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, uid, gid, Arrays.hashCode(user), mtimeNanos, ctimeNanos, size,
                Arrays.hashCode(symlinkTarget), xattrs);
    }

    @Override
    public String toString() {
        if (isEmpty() && xattrs.isEmpty()) {
            return "Metadata[empty]";
        }
        StringBuilder s = new StringBuilder("Metadata[mode=0").append(Integer.toOctalString(mode))
                .append(", uid=").append(uid).append(" (").append(user()).append(')')
                .append(", gid=").append(gid).append(" (").append(group()).append(')')
                .append(", rdev=").append(rdev)
                .append(", atime=").append(atimeNanos).append(", mtime=").append(mtimeNanos)
                .append(", ctime=").append(ctimeNanos).append(", size=").append(size);
        if (symlinkTarget != null) {
            s.append(", symlink=").append(new String(symlinkTarget, StandardCharsets.UTF_8));
        }
        if (hardlinkTarget != null) {
            s.append(", hardlink=").append(new String(hardlinkTarget, StandardCharsets.UTF_8));
        }
        if (posix1eAcl != null) {
            s.append(", acl=").append(new String(posix1eAcl.get(0), StandardCharsets.UTF_8));
        }
        if (linuxAttr != 0) {
            s.append(", attr=0x").append(Long.toHexString(linuxAttr));
        }
        if (!xattrs.isEmpty()) {
            s.append(", xattrs=").append(xattrs);
        }
        return s.append(']').toString();
    }

    /** Hex of {@link #encode()}, for messages and tests. */
    String encodedHex() {
        return HexFormat.of().formatHex(encode());
    }

    // ---- builder ---------------------------------------------------------------------------------------

    /**
     * Builds a {@link Metadata} field by field, e.g. for defaults when a tree has no {@code .bupm}. Not
     * thread safe; arrays passed in are copied.
     */
    public static final class Builder {
        private int mode;
        private long uid;
        private long gid;
        private byte[] user = NO_BYTES;
        private byte[] group = NO_BYTES;
        private long rdev;
        private long atimeNanos;
        private long mtimeNanos;
        private long ctimeNanos;
        private long size = -1;
        private byte[] symlinkTarget;
        private byte[] hardlinkTarget;
        private List<byte[]> posix1eAcl;
        private long linuxAttr;
        private List<ExtendedAttribute> xattrs = new ArrayList<>();
        private long device;
        private long inode;
        private long linkCount;
        private long statSize = -1;

        private Builder() {
        }

        private Builder(Metadata m) {
            mode = m.mode;
            uid = m.uid;
            gid = m.gid;
            user = m.user;
            group = m.group;
            rdev = m.rdev;
            atimeNanos = m.atimeNanos;
            mtimeNanos = m.mtimeNanos;
            ctimeNanos = m.ctimeNanos;
            size = m.size;
            symlinkTarget = m.symlinkTarget;
            hardlinkTarget = m.hardlinkTarget;
            posix1eAcl = m.posix1eAcl;
            linuxAttr = m.linuxAttr;
            xattrs = new ArrayList<>(m.xattrs);
            device = m.device;
            inode = m.inode;
            linkCount = m.linkCount;
            statSize = m.statSize;
        }

        /** The full {@code st_mode}, type bits included; 0 means "no common record". */
        public Builder mode(int mode) {
            this.mode = mode;
            return this;
        }

        public Builder uid(long uid) {
            this.uid = uid;
            return this;
        }

        public Builder gid(long gid) {
            this.gid = gid;
            return this;
        }

        public Builder user(String name) {
            return user(name.getBytes(StandardCharsets.UTF_8));
        }

        public Builder user(byte[] name) {
            this.user = name.clone();
            return this;
        }

        public Builder group(String name) {
            return group(name.getBytes(StandardCharsets.UTF_8));
        }

        public Builder group(byte[] name) {
            this.group = name.clone();
            return this;
        }

        public Builder rdev(long rdev) {
            this.rdev = rdev;
            return this;
        }

        public Builder atimeNanos(long nanos) {
            this.atimeNanos = nanos;
            return this;
        }

        public Builder mtimeNanos(long nanos) {
            this.mtimeNanos = nanos;
            return this;
        }

        public Builder ctimeNanos(long nanos) {
            this.ctimeNanos = nanos;
            return this;
        }

        /** The content size, or -1 for "not recorded". */
        public Builder size(long size) {
            if (size < -1) {
                throw new IllegalArgumentException("size must be -1 or more: " + size);
            }
            this.size = size;
            return this;
        }

        /** The symlink target; null or empty for none. */
        public Builder symlinkTarget(byte[] target) {
            this.symlinkTarget = target == null || target.length == 0 ? null : target.clone();
            return this;
        }

        /** The hardlink target path; null or empty for none. */
        public Builder hardlinkTarget(byte[] target) {
            this.hardlinkTarget = target == null || target.length == 0 ? null : target.clone();
            return this;
        }

        /** bup's ACL texts (2, or 4 for a directory); null or empty for none. */
        public Builder posix1eAcl(List<byte[]> texts) {
            if (texts == null || texts.isEmpty()) {
                this.posix1eAcl = null;
                return this;
            }
            if (texts.size() != 2 && texts.size() != 4) {
                throw new IllegalArgumentException("an ACL record has 2 or 4 texts, not " + texts.size());
            }
            List<byte[]> copy = new ArrayList<>(texts.size());
            for (byte[] text : texts) {
                copy.add(text.clone());
            }
            this.posix1eAcl = copy;
            return this;
        }

        /** chattr flags; 0 for none. */
        public Builder linuxAttr(long flags) {
            if (flags < 0) {
                throw new IllegalArgumentException("chattr flags must not be negative: " + flags);
            }
            this.linuxAttr = flags;
            return this;
        }

        public Builder xattrs(List<ExtendedAttribute> attributes) {
            this.xattrs = new ArrayList<>(attributes);
            return this;
        }

        public Builder addXattr(ExtendedAttribute attribute) {
            this.xattrs.add(Objects.requireNonNull(attribute, "attribute"));
            return this;
        }

        public Metadata build() {
            return new Metadata(this);
        }
    }
}
