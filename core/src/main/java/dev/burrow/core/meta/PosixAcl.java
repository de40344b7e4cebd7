package dev.burrow.core.meta;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

/**
 * POSIX.1e ACLs through libacl ({@code libacl.so.1}), the library bup itself uses, so the text forms
 * are exactly bup's: {@code acl_to_any_text(acl, "", ',', TEXT_ABBREVIATE[|TEXT_NUMERIC_IDS])}.
 *
 * <p>Read as bup 0.33.7 does: only for files whose ACL is extended ({@code acl_extended_file}); the
 * record is {@code [access-text, access-numeric]} for non-directories and adds {@code [default-text,
 * default-numeric]} for directories. If libacl cannot be loaded, {@link #isAvailable()} is false and
 * callers leave ACLs out.
 */
final class PosixAcl {
    private static final int ACL_TYPE_ACCESS = 0x8000;
    private static final int ACL_TYPE_DEFAULT = 0x4000;
    private static final int TEXT_NUMERIC_IDS = 0x08;
    private static final int TEXT_ABBREVIATE = 0x10;

    private PosixAcl() {
    }

    private static final class Library {
        static final SymbolLookup LOOKUP = load();
        static final String FAILURE = LOOKUP == null ? failure() : null;

        @SuppressWarnings("restricted") // libacl is only called through the descriptors below
        private static SymbolLookup load() {
            if (!Posix.isSupported()) {
                return null;
            }
            try {
                return SymbolLookup.libraryLookup("libacl.so.1", Arena.global());
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private static String failure() {
            return Posix.isSupported() ? "libacl.so.1 could not be loaded" : Posix.UNSUPPORTED_REASON;
        }
    }

    /** Whether ACLs can be read and written here. */
    static boolean isAvailable() {
        return Library.LOOKUP != null;
    }

    /** Why ACLs are unavailable, or null. */
    static String unavailabilityCause() {
        return Library.FAILURE;
    }

    private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
        if (Library.LOOKUP == null) {
            throw new UnsupportedOperationException(Library.FAILURE);
        }
        return Posix.downcall(Library.LOOKUP, name, descriptor, Linker.Option.captureCallState("errno"));
    }

    private static final class ExtendedFile {
        static final MethodHandle H = bind("acl_extended_file", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    private static final class GetFile {
        static final MethodHandle H = bind("acl_get_file", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    }

    private static final class ToAnyText {
        static final MethodHandle H = bind("acl_to_any_text", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS,
                JAVA_BYTE, JAVA_INT));
    }

    private static final class FromText {
        static final MethodHandle H = bind("acl_from_text", FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    private static final class SetFile {
        static final MethodHandle H = bind("acl_set_file", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                ADDRESS));
    }

    private static final class Free {
        static final MethodHandle H = bind("acl_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /**
     * bup's ACL record for a regular file or directory: 2 texts, or 4 for a directory; null when the ACL
     * is not extended or the file system has none.
     */
    static List<byte[]> read(Arena arena, MemorySegment cpath, Path path, boolean directory) throws IOException {
        MemorySegment capture = Posix.captureSegment(arena);
        int extended;
        try {
            extended = (int) ExtendedFile.H.invokeExact(capture, cpath);
        } catch (Throwable t) {
            throw Posix.rethrow(t);
        }
        if (extended < 0) {
            int errno = Posix.errno(capture);
            if (errno == Posix.EOPNOTSUPP || errno == Posix.ENOSYS) {
                return null;
            }
            throw Posix.error("acl_extended_file", path, errno);
        }
        if (extended == 0) {
            return null;
        }
        byte[][] access = texts(arena, capture, cpath, path, ACL_TYPE_ACCESS);
        if (!directory) {
            return List.of(access[0], access[1]);
        }
        byte[][] defaults = texts(arena, capture, cpath, path, ACL_TYPE_DEFAULT);
        return List.of(access[0], access[1], defaults[0], defaults[1]);
    }

    private static byte[][] texts(Arena arena, MemorySegment capture, MemorySegment cpath, Path path, int type)
            throws IOException {
        MemorySegment acl;
        try {
            acl = (MemorySegment) GetFile.H.invokeExact(capture, cpath, type);
        } catch (Throwable t) {
            throw Posix.rethrow(t);
        }
        if (acl.equals(MemorySegment.NULL)) {
            throw Posix.error("acl_get_file", path, Posix.errno(capture));
        }
        try {
            return new byte[][] {
                text(arena, capture, acl, path, TEXT_ABBREVIATE),
                text(arena, capture, acl, path, TEXT_ABBREVIATE | TEXT_NUMERIC_IDS)};
        } finally {
            free(capture, acl);
        }
    }

    private static byte[] text(Arena arena, MemorySegment capture, MemorySegment acl, Path path, int options)
            throws IOException {
        MemorySegment text;
        try {
            text = (MemorySegment) ToAnyText.H.invokeExact(capture, acl, arena.allocate(1), (byte) ',', options);
        } catch (Throwable t) {
            throw Posix.rethrow(t);
        }
        if (text.equals(MemorySegment.NULL)) {
            throw Posix.error("acl_to_any_text", path, Posix.errno(capture));
        }
        try {
            return Posix.cString(text);
        } finally {
            free(capture, text);
        }
    }

    /** Sets the access ACL and, if {@code defaults} is not empty, the default ACL, from their text forms. */
    static void apply(Arena arena, MemorySegment cpath, Path path, byte[] access, byte[] defaults)
            throws IOException {
        MemorySegment capture = Posix.captureSegment(arena);
        set(arena, capture, cpath, path, ACL_TYPE_ACCESS, access);
        if (defaults.length > 0) {
            set(arena, capture, cpath, path, ACL_TYPE_DEFAULT, defaults);
        }
    }

    private static void set(Arena arena, MemorySegment capture, MemorySegment cpath, Path path, int type,
            byte[] text) throws IOException {
        MemorySegment acl;
        try {
            acl = (MemorySegment) FromText.H.invokeExact(capture, Posix.cString(arena, text));
        } catch (Throwable t) {
            throw Posix.rethrow(t);
        }
        if (acl.equals(MemorySegment.NULL)) {
            // libacl says EINVAL when a named user or group does not exist here.
            throw Posix.error("acl_from_text", path, Posix.errno(capture));
        }
        try {
            int rc = (int) SetFile.H.invokeExact(capture, cpath, type, acl);
            if (rc != 0) {
                throw Posix.error("acl_set_file", path, Posix.errno(capture));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Posix.rethrow(t);
        } finally {
            free(capture, acl);
        }
    }

    private static void free(MemorySegment capture, MemorySegment object) {
        try {
            // acl_free fails only for pointers libacl did not hand out.
            int rc = (int) Free.H.invokeExact(capture, object);
            assert rc == 0 : rc;
        } catch (Throwable t) {
            throw Posix.rethrow(t);
        }
    }
}
