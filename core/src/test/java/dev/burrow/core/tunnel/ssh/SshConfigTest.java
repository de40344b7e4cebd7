package dev.burrow.core.tunnel.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshConfigTest {
    static final Path HOME = Path.of("/home/me");
    static final String CONFIG = """
            # global defaults come first
            IdentityFile ~/.ssh/id_global

            Host work bastion-*
                HostName %h.example.com
                User alice
                Port 2222
                IdentityFile ~/.ssh/id_work
                IdentityFile "/keys/%r@%h"

            Host !bastion-secret bastion-*
                User bob
                Port 22

            Host *
                User fallback
                Port=2200
                ServerAliveInterval 10

            Match host other
                User never
            """;

    @Test
    void firstValueWinsAndIdentityFilesAccumulate() {
        SshConfig.HostSettings work = SshConfig.parse(CONFIG, HOME).lookup("work", "me");
        assertEquals(new SshConfig.HostSettings("work.example.com", "alice", 2222, List.of(
                Path.of("/home/me/.ssh/id_global"), Path.of("/home/me/.ssh/id_work"),
                Path.of("/keys/alice@work.example.com"))), work);
    }

    @Test
    void wildcardsAndNegationSelectBlocks() {
        SshConfig config = SshConfig.parse(CONFIG, HOME);
        assertEquals("alice", config.lookup("bastion-1", "me").user());
        assertEquals("bastion-secret.example.com", config.lookup("bastion-secret", "me").hostName());
        SshConfig.HostSettings other = config.lookup("other", "me");
        assertEquals(new SshConfig.HostSettings(null, "fallback", 2200,
                List.of(Path.of("/home/me/.ssh/id_global"))), other);
    }

    @Test
    void badPortNamesTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SshConfig.parse("Host x\n  Port http\n", HOME).lookup("x", "me"));
        assertEquals("bad Port in ssh config: http", e.getMessage());
    }

    @Test
    void missingFileIsEmpty(@TempDir Path dir) throws IOException {
        assertEquals(new SshConfig.HostSettings(null, null, 0, List.of()),
                SshConfig.read(dir.resolve("config"), HOME).lookup("any", "me"));
    }
}
