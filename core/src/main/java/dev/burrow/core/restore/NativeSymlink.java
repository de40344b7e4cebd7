package dev.burrow.core.restore;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code symlink(2)} with the target as raw bytes. {@link Files#createSymbolicLink} takes the target as a
 * {@link Path}, which drops trailing and repeated slashes and cannot hold bytes that are not valid in the
 * platform charset; a restore must recreate the recorded bytes exactly.
 */
final class NativeSymlink {
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
            .startsWith("linux");
    private static final int EEXIST = 17;

    private NativeSymlink() {
    }

    private static final class Symlink {
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle H = downcall();

        @SuppressWarnings("restricted") // int symlink(const char *target, const char *linkpath) on Linux
        private static MethodHandle downcall() {
            Linker linker = Linker.nativeLinker();
            MemorySegment symbol = linker.defaultLookup().find("symlink")
                    .orElseThrow(() -> new UnsupportedOperationException("libc has no symlink"));
            return linker.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS),
                    Linker.Option.captureCallState("errno"));
        }
    }

    /** Creates {@code link} pointing at {@code target}; never replaces an existing entry. */
    static void create(byte[] target, Path link) throws IOException {
        if (!LINUX) {
            Files.createSymbolicLink(link, Path.of(new String(target, StandardCharsets.UTF_8)));
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Symlink.CAPTURE);
            int rc = (int) Symlink.H.invokeExact(capture, cString(arena, target),
                    cString(arena, dev.burrow.core.meta.FileNames.pathBytes(link.toAbsolutePath())));
            if (rc != 0) {
                int errno = (int) Symlink.ERRNO.get(capture, 0L);
                if (errno == EEXIST) {
                    throw new FileAlreadyExistsException(link.toString());
                }
                throw new FileSystemException(link.toString(), null, "symlink failed, errno " + errno);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("unexpected exception from symlink(2)", t);
        }
    }

    private static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        return s;
    }
}
