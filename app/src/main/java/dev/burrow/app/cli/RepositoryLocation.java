package dev.burrow.app.cli;

import java.nio.file.Path;

/**
 * Where the repository is: {@code -d DIR}, else {@code $BURROW_DIR}, else {@code $XDG_DATA_HOME/burrow/repo}, else
 * {@code ~/.local/share/burrow/repo}. Empty variables count as unset, and a relative {@code XDG_DATA_HOME} is
 * ignored, as the XDG base directory specification says.
 */
final class RepositoryLocation {
    private RepositoryLocation() { }

    static Path resolve(Path option, CliContext context) {
        if (option != null) {
            return option;
        }
        String burrowDir = context.getenv("BURROW_DIR");
        if (burrowDir != null) {
            return Path.of(burrowDir);
        }
        String xdg = context.getenv("XDG_DATA_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "burrow", "repo");
        }
        return context.home().resolve(".local/share/burrow/repo");
    }
}
