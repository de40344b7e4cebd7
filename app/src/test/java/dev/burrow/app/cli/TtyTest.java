package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TtyTest {
    @Test
    void procLinksAgreeWithLibcIsatty() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc here");
        for (int fd = 0; fd <= 2; fd++) {
            assertEquals(Tty.isatty(fd), Tty.isTerminal(fd), "fd " + fd);
        }
        assertFalse(Tty.isTerminal(1_000_000), "a descriptor that is not open");
    }

    @Test
    void terminalDevicesAreToldFromFilesAndPipes() {
        for (String tty : new String[] {"/dev/pts/3", "/dev/tty1", "/dev/ttyS0", "/dev/tty", "/dev/console"}) {
            assertTrue(Tty.isTerminalDevice(tty), tty);
        }
        for (String other : new String[] {"/tmp/log", "pipe:[8812]", "socket:[99]", "/dev/null", "/dev/ptmx2"}) {
            assertFalse(Tty.isTerminalDevice(other), other);
        }
    }
}
