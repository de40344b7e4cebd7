package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.burrow.core.store.NotARepositoryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ErrorMessagesTest {
    @Test
    void notARepositoryKeepsItsAdvice() {
        assertEquals("/r: no such directory; run init",
                ErrorMessages.describe(new NotARepositoryException(Path.of("/r"), "no such directory; run init")));
    }

    @Test
    void missingFileNamesThePath() {
        assertEquals("/etc/x: no such file or directory", ErrorMessages.describe(new NoSuchFileException("/etc/x")));
    }

    @Test
    void accessDeniedNamesThePath() {
        assertEquals("/root/x: permission denied", ErrorMessages.describe(new AccessDeniedException("/root/x")));
    }

    @Test
    void diskFullSaysWhatToDoAndThatTheRepositoryIsUnchanged() {
        assertEquals("/r/objects/pack/tmp-1.pack: disk full; free space and run again (the repository is unchanged)",
                ErrorMessages.describe(new FileSystemException("/r/objects/pack/tmp-1.pack", null,
                        "No space left on device")));
    }

    @Test
    void diskFullWithoutPathFromChannelWrite() {
        assertEquals("disk full; free space and run again (the repository is unchanged)",
                ErrorMessages.describe(new IOException("No space left on device")));
    }

    @Test
    void otherIoErrorsShowTheirMessage() {
        assertEquals("pack abc is corrupt", ErrorMessages.describe(new IOException("pack abc is corrupt")));
    }

    @Test
    void uncheckedIoErrorsAreUnwrapped() {
        assertEquals("/x: permission denied",
                ErrorMessages.describe(new UncheckedIOException(new AccessDeniedException("/x"))));
    }

    @Test
    void interruptionInAnyFormSaysInterrupted() {
        assertEquals(java.util.List.of("interrupted", "interrupted"), java.util.List.of(
                ErrorMessages.describe(new InterruptedException()),
                ErrorMessages.describe(new ClosedByInterruptException())));
    }

    @Test
    void bugsPointToBurrowDebug() {
        assertEquals("internal error: java.lang.IllegalStateException: boom (run with BURROW_DEBUG=1 for details)",
                ErrorMessages.describe(new IllegalStateException("boom")));
    }
}
