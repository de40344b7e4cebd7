package dev.burrow.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepositoryLocationTest {
    private final CliHarness cli = new CliHarness(Path.of("/home/me"));

    @Test
    void optionWinsOverBurrowDirAndXdg() {
        cli.env.put("BURROW_DIR", "/env/repo");
        cli.env.put("XDG_DATA_HOME", "/xdg");
        assertEquals(Path.of("/opt/repo"), RepositoryLocation.resolve(Path.of("/opt/repo"), cli.context()));
    }

    @Test
    void burrowDirWinsOverXdg() {
        cli.env.put("BURROW_DIR", "/env/repo");
        cli.env.put("XDG_DATA_HOME", "/xdg");
        assertEquals(Path.of("/env/repo"), RepositoryLocation.resolve(null, cli.context()));
    }

    @Test
    void xdgDataHomeIsUsedWithoutBurrowDir() {
        cli.env.put("XDG_DATA_HOME", "/xdg");
        assertEquals(Path.of("/xdg/burrow/repo"), RepositoryLocation.resolve(null, cli.context()));
    }

    @Test
    void defaultIsUnderHomeLocalShare() {
        assertEquals(Path.of("/home/me/.local/share/burrow/repo"), RepositoryLocation.resolve(null, cli.context()));
    }

    @Test
    void emptyVariablesCountAsUnset() {
        cli.env.put("BURROW_DIR", "");
        cli.env.put("XDG_DATA_HOME", "");
        assertEquals(Path.of("/home/me/.local/share/burrow/repo"), RepositoryLocation.resolve(null, cli.context()));
    }

    @Test
    void relativeXdgDataHomeIsIgnored() {
        cli.env.put("XDG_DATA_HOME", "relative/data");
        assertEquals(Path.of("/home/me/.local/share/burrow/repo"), RepositoryLocation.resolve(null, cli.context()));
    }

    @Test
    void dashDOptionIsParsedBeforeTheCommand() {
        cli.env.put("BURROW_DIR", "/env/repo");
        InitCommand init = cli.parse(InitCommand.class, "-d", "/opt/repo", "init");
        assertEquals(Path.of("/opt/repo"), init.parent.repositoryDirectory());
    }

    @Test
    void homeComesFromTheHomeVariableBeforeThePasswordDatabase() {
        assertEquals(Path.of("/home/elsewhere"), CliContext.homeDirectory(Map.of("HOME", "/home/elsewhere")));
        assertEquals(Path.of(System.getProperty("user.home")), CliContext.homeDirectory(Map.of()));
    }
}
