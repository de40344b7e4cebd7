package dev.burrow.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Describes a directory tree as text, one line per path: type, permissions, size, content digest, mtime
 * in nanoseconds, symlink target and hardlink group. Two trees are equal for a backup when their
 * descriptions are.
 */
public final class TreeDescription {
    private TreeDescription() { }

    /** Options for what to compare. */
    public record Options(boolean mtimes, boolean directoryMtimes, boolean owners) {
        public static final Options ALL = new Options(true, true, true);
    }

    public static String of(Path root, Options options) throws IOException {
        TreeMap<String, String> lines = new TreeMap<>();
        Map<Object, String> hardlinkGroups = new HashMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted().toList();
        }
        String rootUri = root.toUri().getRawPath();
        for (Path p : paths) {
            // The raw bytes of the name (percent-encoded), so names that are not UTF-8 are compared exactly.
            String raw = p.toUri().getRawPath().substring(rootUri.length());
            String rel = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            StringBuilder sb = new StringBuilder();
            sb.append(Integer.toOctalString(mode));
            if (options.owners()) {
                sb.append(" ").append(a.get("uid")).append(":").append(a.get("gid"));
            }
            boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                sb.append(" size=").append(Files.size(p)).append(" sha1=").append(digest(p));
                if ((Integer) a.get("nlink") > 1) {
                    Object key = a.get("dev") + ":" + a.get("ino");
                    String group = hardlinkGroups.computeIfAbsent(key, k -> rel);
                    sb.append(" hardlink-group=").append(group);
                }
            } else if (Files.isSymbolicLink(p)) {
                sb.append(" -> ").append(Files.readSymbolicLink(p));
            }
            if (options.mtimes() && (!dir || options.directoryMtimes())) {
                FileTime t = (FileTime) a.get("lastModifiedTime");
                sb.append(" mtime=").append(t.toInstant());
            }
            lines.put(rel.isEmpty() ? "." : rel, sb.toString());
        }
        StringBuilder out = new StringBuilder();
        lines.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
        return out.toString();
    }

    private static String digest(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
