package dev.burrow.app.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Whether a file descriptor is a terminal, by libc's {@code isatty} through the FFM API. */
final class Tty {
    private Tty() { }

    /**
     * True when {@code fd} is a terminal. If libc cannot be called (no native access, another OS), falls back to
     * {@link System#console()}, which looks at stdin and stdout rather than {@code fd}.
     */
    static boolean isTerminal(int fd) {
        try {
            return (int) Isatty.HANDLE.invokeExact(fd) == 1;
        } catch (Error | RuntimeException e) {
            var console = System.console();
            return console != null && console.isTerminal();
        } catch (Throwable t) {
            throw new AssertionError("isatty cannot throw a checked exception", t);
        }
    }

    // Restricted: the launcher and the tests pass --enable-native-access=ALL-UNNAMED; without it the JDK only warns.
    @SuppressWarnings("restricted")
    private static final class Isatty {
        static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().findOrThrow("isatty"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }
}
