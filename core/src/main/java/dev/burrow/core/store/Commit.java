package dev.burrow.core.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parts of a git commit that Burrow reads: tree, parents, author and committer times. The message
 * is not kept: bup's messages are not meant to be parsed.
 *
 * @param tree                    the root tree
 * @param parents                 parent commits, in stored order (bup writes zero or one)
 * @param authorTime              author time, seconds since the epoch (names snapshots)
 * @param authorTzOffsetMinutes   the author's UTC offset in minutes, e.g. +0130 is 90
 * @param committerTime           committer time, seconds since the epoch (orders rev-list)
 */
public record Commit(ObjectId tree, List<ObjectId> parents, long authorTime, int authorTzOffsetMinutes,
        long committerTime) {

    public Commit {
        Objects.requireNonNull(tree, "tree");
        parents = List.copyOf(parents);
    }

    /** The author time as an instant. */
    public Instant authorInstant() {
        return Instant.ofEpochSecond(authorTime);
    }

    /** The author's UTC offset. */
    public ZoneOffset authorZone() {
        return ZoneOffset.ofTotalSeconds(authorTzOffsetMinutes * 60);
    }

    /**
     * Parses a commit object's content.
     *
     * @param id the commit id, for error messages; may be null
     * @throws CorruptObjectException if the tree line or the author line is missing or malformed
     */
    public static Commit parse(ObjectId id, byte[] raw) throws CorruptObjectException {
        ObjectId tree = null;
        List<ObjectId> parents = new ArrayList<>(1);
        long[] author = null;
        long[] committer = null;
        int p = 0;
        while (p < raw.length && raw[p] != '\n') {
            int eol = p;
            while (eol < raw.length && raw[eol] != '\n') {
                eol++;
            }
            String line = new String(raw, p, eol - p, StandardCharsets.UTF_8);
            if (line.startsWith("tree ")) {
                tree = hex(id, line.substring(5));
            } else if (line.startsWith("parent ")) {
                parents.add(hex(id, line.substring(7)));
            } else if (line.startsWith("author ")) {
                author = identTime(id, line);
            } else if (line.startsWith("committer ")) {
                committer = identTime(id, line);
            }
            p = eol + 1;
        }
        if (tree == null) {
            throw new CorruptObjectException(id, "commit has no tree line");
        }
        if (author == null) {
            throw new CorruptObjectException(id, "commit has no author line");
        }
        long commitTime = committer != null ? committer[0] : author[0];
        return new Commit(tree, parents, author[0], (int) author[1], commitTime);
    }

    private static ObjectId hex(ObjectId id, String s) throws CorruptObjectException {
        if (!ObjectId.isHex(s)) {
            throw new CorruptObjectException(id, "bad object id in commit: " + s);
        }
        return ObjectId.fromHex(s);
    }

    /** {seconds, offset minutes} from {@code "author Name <mail> 1700000000 +0100"}. */
    private static long[] identTime(ObjectId id, String line) throws CorruptObjectException {
        int gt = line.lastIndexOf('>');
        String[] parts = line.substring(gt + 1).trim().split(" +");
        try {
            long secs = Long.parseLong(parts[0]);
            int tz = 0;
            if (parts.length > 1 && parts[1].length() == 5) {
                int v = Integer.parseInt(parts[1].substring(1));
                tz = (v / 100 * 60 + v % 100) * (parts[1].charAt(0) == '-' ? -1 : 1);
            }
            return new long[] {secs, tz};
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new CorruptObjectException(id, "bad time in commit line: " + line, e);
        }
    }
}
