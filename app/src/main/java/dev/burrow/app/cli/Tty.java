package dev.burrow.app.cli;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a file descriptor is a terminal. */
final class Tty {
    private static final Path PROC_FDS = Path.of("/proc/self/fd");

    private Tty() { }

    /**
     * True when {@code fd} is a terminal. On Linux, from what {@code /proc/self/fd/FD} links to (a terminal
     * device: {@code /dev/pts/N}, {@code /dev/ttyN}, {@code /dev/console}); this runs first thing in every command,
     * and binding libc's {@code isatty} there cost 80 ms of the FFM API's start-up. Elsewhere, {@code isatty}
     * through the FFM API; if libc cannot be called (no native access), {@link System#console()}, which looks at
     * stdin and stdout rather than {@code fd}.
     */
    static boolean isTerminal(int fd) {
        if (Files.isDirectory(PROC_FDS)) {
            try {
                return isTerminalDevice(Files.readSymbolicLink(PROC_FDS.resolve(Integer.toString(fd))).toString());
            } catch (IOException | UnsupportedOperationException e) {
                return false;   // closed, or no such link: not a terminal
            }
        }
        try {
            return isatty(fd);
        } catch (Error | RuntimeException e) {
            var console = System.console();
            return console != null && console.isTerminal();
        }
    }

    /** libc's {@code isatty} through the FFM API. */
    static boolean isatty(int fd) {
        try {
            return (int) Isatty.HANDLE.invokeExact(fd) == 1;
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("isatty cannot throw a checked exception", t);
        }
    }

    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }

    // Restricted: the launcher and the tests pass --enable-native-access=ALL-UNNAMED; without it the JDK only warns.
    @SuppressWarnings("restricted")
    private static final class Isatty {
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().findOrThrow("isatty"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }
}
