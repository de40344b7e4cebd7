package dev.burrow.core.backup;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How absolute source paths become paths inside a snapshot, as bup's {@code save} options do.
 * With none of them a source {@code /home/u} is stored as {@code home/u}.
 *
 * @param strip       {@code --strip}: drop each source's own directory path, so its contents are at the root
 * @param stripPrefix {@code --strip-path}: drop this prefix from every source path; null for none
 * @param grafts      {@code --graft OLD=NEW}: replace prefix OLD with NEW; the first match wins
 */
public record PathRewrite(boolean strip, Path stripPrefix, List<Graft> grafts) {
    /** No rewriting: paths are stored as they are on disk. */
    public static final PathRewrite NONE = new PathRewrite(false, null, List.of());

    public PathRewrite {
        grafts = List.copyOf(grafts);
        int options = (strip ? 1 : 0) + (stripPrefix != null ? 1 : 0) + (grafts.isEmpty() ? 0 : 1);
        if (options > 1) {
            throw new IllegalArgumentException("--strip, --strip-path and --graft are mutually exclusive");
        }
    }

    /** One {@code --graft OLD=NEW}. Both are absolute. */
    public record Graft(Path oldPrefix, Path newPrefix) {
        public Graft {
            Objects.requireNonNull(oldPrefix, "oldPrefix");
            Objects.requireNonNull(newPrefix, "newPrefix");
            if (!oldPrefix.isAbsolute() || !newPrefix.isAbsolute()) {
                throw new IllegalArgumentException("graft paths must be absolute: " + oldPrefix + "=" + newPrefix);
            }
        }
    }
}
