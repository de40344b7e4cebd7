package dev.burrow.core.browse;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.Collectors;

import dev.burrow.core.meta.Metadata;
import dev.burrow.core.store.Commit;
import dev.burrow.core.store.CorruptObjectException;
import dev.burrow.core.store.ObjectId;
import dev.burrow.core.store.ObjectReader;
import dev.burrow.core.store.ObjectType;
import dev.burrow.core.store.Repository;
import dev.burrow.core.store.Tree;

/**
 * bup's virtual filesystem: what the paths of {@code bup ls} and {@code bup restore} mean.
 *
 * <pre>
 * /                      backup sets (refs/heads) and .tag
 * /NAME                  snapshots YYYY-MM-DD-HHMMSS[-N] (author time, local zone) and latest
 * /NAME/latest/...       the tip commit's root tree, demangled, with .bupm metadata
 * /NAME/DATE/...         the same for any commit of the set
 * /.tag/TAG              a tag: a commit (as a snapshot), tree or blob
 * </pre>
 *
 * <p>Not thread safe (it uses the caller's reader and caches each set's snapshot list); use one per
 * thread. It does not close the reader. Snapshot names depend on {@link ZoneId#systemDefault()} at the
 * time a set is first listed.
 */
public final class Vfs {
    /*
     * Directory reading follows bup 0.33.7's vfs.tree_items: demangle every entry, sort by demangled name
     * (stable, unsigned bytes) when there is a .bupm, skip .bupm itself, and walk the .bupm stream in step:
     * entry 0 is the directory, a plain subtree reads nothing (its metadata is entry 0 of its own .bupm),
     * every other entry reads the next record. Without a .bupm, git order and default modes.
     */

    private static final DateTimeFormatter SNAPSHOT_NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss");
    private static final byte[] BUPM = ".bupm".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_SYMLINK_HOPS = 100;
    private static final int MAX_NAMES_IN_MESSAGE = 12;

    private final Repository repo;
    private final ObjectReader reader;
    private final ZoneId zone = ZoneId.systemDefault();
    private final Map<ObjectId, List<VfsNode>> snapshotCache = new HashMap<>();
    private final VfsNode root = new VfsNode("/", new byte[0], VfsNode.Kind.ROOT, 0, null, null, false,
            Metadata.empty(), 0, null, null, VfsNode.Selection.ITEM);

    public Vfs(Repository repo, ObjectReader reader) {
        this.repo = Objects.requireNonNull(repo, "repo");
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /** The root, {@code /}. */
    public VfsNode root() {
        return root;
    }

    /**
     * Finds the node a path names. Paths are absolute ({@code /set/latest/home}); a relative path is taken
     * from the root. {@code .} and {@code ..} components are understood, repeated slashes ignored, and
     * symlinks inside snapshots are followed except for the last component. A trailing {@code /} or
     * {@code /.} is kept in {@link VfsNode#selection()}. Directories come back with their metadata loaded.
     *
     * @throws NoSuchPathException naming the path and what exists where it stops
     */
    public VfsNode resolve(String path) throws IOException {
        Objects.requireNonNull(path, "path");
        String p = path.replaceAll("/+", "/");
        VfsNode.Selection selection = VfsNode.Selection.ITEM;
        if (p.endsWith("/.") || p.equals(".")) {
            selection = VfsNode.Selection.CONTENTS_AND_METADATA;
        } else if (p.endsWith("/") && p.length() > 1) {
            selection = VfsNode.Selection.CONTENTS;
        }
        Deque<String> future = new ArrayDeque<>(Arrays.asList(p.split("/")));
        List<VfsNode> past = new ArrayList<>();
        past.add(root);
        int hops = 0;
        while (!future.isEmpty()) {
            String seg = future.removeFirst();
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                if (past.size() > 1) {
                    past.removeLast();
                }
                continue;
            }
            VfsNode parent = past.getLast();
            if (!parent.kind().isContainer()) {
                throw new NoSuchPathException(path, "cannot resolve '" + path + "': " + parent.path() + " is a "
                        + kindWord(parent) + ", not a directory");
            }
            VfsNode child = child(path, parent, seg.getBytes(StandardCharsets.UTF_8));
            boolean last = future.stream().allMatch(s -> s.isEmpty() || s.equals("."));
            if (child.kind() == VfsNode.Kind.SYMLINK && (!last || selection != VfsNode.Selection.ITEM)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new NoSuchPathException(path, "too many symlinks while resolving '" + path + "'");
                }
                String target = new String(child.symlinkTarget(), StandardCharsets.UTF_8);
                if (target.startsWith("/")) {
                    past.subList(1, past.size()).clear();
                }
                List<String> parts = Arrays.asList(target.split("/"));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    future.addFirst(parts.get(i));
                }
                continue;
            }
            past.add(child);
        }
        VfsNode found = past.getLast();
        if (selection != VfsNode.Selection.ITEM && !found.kind().isContainer()) {
            throw new NoSuchPathException(path, "'" + path + "' asks for a directory's contents, but "
                    + found.path() + " is a " + kindWord(found));
        }
        if ((found.kind() == VfsNode.Kind.DIRECTORY || found.kind() == VfsNode.Kind.SNAPSHOT)
                && found.metadataIfLoaded() == null) {
            found = found.withMetadata(directoryMetadata(found.id()));
        }
        return found.withSelection(selection);
    }

    private static String kindWord(VfsNode n) {
        return n.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** The child of {@code parent} named {@code name}, or a NoSuchPathException listing what is there. */
    private VfsNode child(String path, VfsNode parent, byte[] name) throws IOException {
        String shown = new String(name, StandardCharsets.UTF_8);
        switch (parent.kind()) {
            case ROOT -> {
                if (Arrays.equals(name, ".tag".getBytes(StandardCharsets.US_ASCII))) {
                    return tagsNode();
                }
                if (Repository.isValidBranchName(shown)) {
                    Optional<ObjectId> tip = repo.readRef("refs/heads/" + shown);
                    if (tip.isPresent()) {
                        return branchNode(shown, tip.get());
                    }
                }
                throw new NoSuchPathException(path, "no backup set '" + shown + "'; known: "
                        + namesOf(list(root).stream().filter(n -> n.kind() == VfsNode.Kind.BRANCH).toList()));
            }
            default -> {
                List<VfsNode> children = list(parent);
                for (VfsNode c : children) {
                    if (c.nameEquals(name)) {
                        return c;
                    }
                }
                String what = switch (parent.kind()) {
                    case BRANCH -> "no snapshot '" + shown + "' in backup set '" + parent.displayName() + "'";
                    case TAGS -> "no tag '" + shown + "'";
                    default -> "no '" + shown + "' in " + parent.path();
                };
                throw new NoSuchPathException(path, what + "; known: " + namesOf(children));
            }
        }
    }

    private static String namesOf(List<VfsNode> nodes) {
        if (nodes.isEmpty()) {
            return "(none)";
        }
        String s = nodes.stream().limit(MAX_NAMES_IN_MESSAGE).map(VfsNode::displayName)
                .collect(Collectors.joining(", "));
        return nodes.size() > MAX_NAMES_IN_MESSAGE ? s + ", … (" + nodes.size() + " in all)" : s;
    }

    /**
     * The children of a container node, sorted by raw name (bytes, unsigned) as {@code bup ls} shows
     * them. The root lists {@code .tag} and the backup sets; a backup set lists its snapshots and
     * {@code latest}. Listed subdirectories do not carry their metadata (see {@link #metadata}).
     *
     * @throws IllegalArgumentException if the node is not a container
     */
    public List<VfsNode> list(VfsNode dir) throws IOException {
        return switch (dir.kind()) {
            case ROOT -> listRoot();
            case TAGS -> listTags();
            case BRANCH -> snapshots(dir);
            case SNAPSHOT, DIRECTORY -> readDirectory(dir).children();
            default -> throw new IllegalArgumentException(dir.path() + " is a " + kindWord(dir)
                    + ", not a directory");
        };
    }

    /** A directory's children together with the directory itself, its metadata loaded. */
    public record Listing(VfsNode directory, List<VfsNode> children) {
        public Listing {
            Objects.requireNonNull(directory, "directory");
            children = List.copyOf(children);
        }
    }

    /**
     * Like {@link #list}, but also returns the directory with its own metadata (entry 0 of its
     * {@code .bupm}), reading its tree once; restore uses this.
     */
    public Listing listWithMetadata(VfsNode dir) throws IOException {
        if (dir.kind() == VfsNode.Kind.SNAPSHOT || dir.kind() == VfsNode.Kind.DIRECTORY) {
            return readDirectory(dir);
        }
        return new Listing(dir, list(dir));
    }

    /**
     * The node's metadata: what it carries, or for a directory or snapshot listed by its parent, entry 0
     * of its own {@code .bupm}. Empty (never null) when the repository has none.
     */
    public Metadata metadata(VfsNode node) throws IOException {
        Metadata m = node.metadataIfLoaded();
        if (m != null) {
            return m;
        }
        if (node.kind() == VfsNode.Kind.DIRECTORY || node.kind() == VfsNode.Kind.SNAPSHOT) {
            return directoryMetadata(node.id());
        }
        return Metadata.empty();
    }

    /**
     * The content of a file: its blob, or its chunk tree's leaves concatenated in order. Streams with
     * bounded memory; the caller closes the stream, and must keep the reader open until then.
     *
     * @throws IllegalArgumentException if the node is not a {@link VfsNode.Kind#FILE}
     */
    public InputStream openContent(VfsNode file) throws IOException {
        if (file.kind() != VfsNode.Kind.FILE) {
            throw new IllegalArgumentException(file.path() + " is a " + kindWord(file) + ", not a file");
        }
        return new ContentStream(reader, file.id(), file.isChunked());
    }

    // ---- root, tags, sets -------------------------------------------------------------------------

    private VfsNode tagsNode() {
        return new VfsNode("/.tag", ".tag".getBytes(StandardCharsets.US_ASCII), VfsNode.Kind.TAGS, 0, null, null,
                false, Metadata.empty(), 0, null, null, VfsNode.Selection.ITEM);
    }

    private VfsNode branchNode(String name, ObjectId tip) {
        return new VfsNode("/" + name, name.getBytes(StandardCharsets.UTF_8), VfsNode.Kind.BRANCH, 0, tip, null,
                false, Metadata.empty(), 0, null, null, VfsNode.Selection.ITEM);
    }

    private List<VfsNode> listRoot() throws IOException {
        List<VfsNode> out = new ArrayList<>();
        out.add(tagsNode());
        for (Map.Entry<String, ObjectId> e : repo.refs("refs/heads/").entrySet()) {
            out.add(branchNode(e.getKey().substring("refs/heads/".length()), e.getValue()));
        }
        return sortByName(out);
    }

    private List<VfsNode> listTags() throws IOException {
        List<VfsNode> out = new ArrayList<>();
        for (Map.Entry<String, ObjectId> e : repo.refs("refs/tags/").entrySet()) {
            String name = e.getKey().substring("refs/tags/".length());
            byte[] raw = name.getBytes(StandardCharsets.UTF_8);
            String path = "/.tag/" + name;
            ObjectId id = reader.peel(e.getValue());
            ObjectType type = reader.type(id);
            out.add(switch (type) {
                case COMMIT -> {
                    Commit c = reader.commit(id);
                    yield new VfsNode(path, raw, VfsNode.Kind.SNAPSHOT, 0, c.tree(), id, false, null, 0, null, name,
                            VfsNode.Selection.ITEM);
                }
                case TREE -> new VfsNode(path, raw, VfsNode.Kind.DIRECTORY, Tree.MODE_TREE, id, null, false, null, 0,
                        null, null, VfsNode.Selection.ITEM);
                case BLOB -> new VfsNode(path, raw, VfsNode.Kind.FILE, Tree.MODE_FILE, id, null, false,
                        Metadata.empty(), reader.size(id), null, null, VfsNode.Selection.ITEM);
            });
        }
        return sortByName(out);
    }

    /**
     * The snapshots of a set, named as bup names them, plus {@code latest}; sorted by name. Commits are
     * walked as {@code git rev-list} does: newest committer time first, every parent followed.
     */
    private List<VfsNode> snapshots(VfsNode branch) throws IOException {
        List<VfsNode> cached = snapshotCache.get(branch.id());
        if (cached != null) {
            return cached;
        }
        record Rev(ObjectId id, Commit commit, long seq) { }
        PriorityQueue<Rev> queue = new PriorityQueue<>(Comparator.comparingLong((Rev r) -> r.commit.committerTime())
                .reversed().thenComparingLong(Rev::seq));
        Set<ObjectId> seen = new HashSet<>();
        long seq = 0;
        queue.add(new Rev(branch.id(), reader.commit(branch.id()), seq++));
        seen.add(branch.id());
        List<Rev> revs = new ArrayList<>();
        while (!queue.isEmpty()) {
            Rev r = queue.poll();
            revs.add(r);
            for (ObjectId parent : r.commit.parents()) {
                if (seen.add(parent)) {
                    queue.add(new Rev(parent, reader.commit(parent), seq++));
                }
            }
        }
        List<String> names = new ArrayList<>(revs.size());
        for (Rev r : revs) {
            names.add(SNAPSHOT_NAME.format(Instant.ofEpochSecond(r.commit.authorTime()).atZone(zone)));
        }
        names = suffixDuplicates(names);
        String base = branch.path();
        List<VfsNode> out = new ArrayList<>(revs.size() + 1);
        for (int i = 0; i < revs.size(); i++) {
            Rev r = revs.get(i);
            String name = names.get(i);
            out.add(new VfsNode(base + "/" + name, name.getBytes(StandardCharsets.US_ASCII), VfsNode.Kind.SNAPSHOT,
                    0, r.commit.tree(), r.id, false, null, 0, null, name, VfsNode.Selection.ITEM));
        }
        VfsNode tip = out.getFirst();
        out.add(tip.withPath(base + "/latest", "latest".getBytes(StandardCharsets.US_ASCII)));
        List<VfsNode> sorted = sortByName(out);
        snapshotCache.put(branch.id(), sorted);
        return sorted;
    }

    /**
     * bup's rule for runs of equal names in rev-list order: {@code NAME-N} down to {@code NAME-0}, the
     * newest getting the largest N, zero-padded to the width of the largest N.
     */
    static List<String> suffixDuplicates(List<String> names) {
        List<String> out = new ArrayList<>(names.size());
        int i = 0;
        while (i < names.size()) {
            int j = i;
            while (j < names.size() && names.get(j).equals(names.get(i))) {
                j++;
            }
            int n = j - i;
            if (n == 1) {
                out.add(names.get(i));
            } else {
                int width = Integer.toString(n - 1).length();
                for (int k = n - 1; k >= 0; k--) {
                    out.add(names.get(i) + "-" + String.format("%0" + width + "d", k));
                }
            }
            i = j;
        }
        return out;
    }

    private static List<VfsNode> sortByName(List<VfsNode> nodes) {
        List<VfsNode> out = new ArrayList<>(nodes);
        out.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
        return List.copyOf(out);
    }

    // ---- trees ------------------------------------------------------------------------------------

    /** Entry 0 of the tree's .bupm, or empty Metadata when it has none. */
    private Metadata directoryMetadata(ObjectId treeId) throws IOException {
        Tree tree = reader.tree(treeId);
        Tree.Entry bupm = tree.find(BUPM);
        if (bupm == null) {
            return Metadata.empty();
        }
        try (InputStream in = bupmStream(bupm)) {
            Metadata m = Metadata.decode(in);
            return m == null ? Metadata.empty() : m;
        }
    }

    /** Metadata.decode reads a byte at a time, so the stream is buffered. */
    private InputStream bupmStream(Tree.Entry bupm) throws IOException {
        return new BufferedInputStream(new ContentStream(reader, bupm.id(), bupm.isTree()), 8192);
    }

    private record Demangled(Tree.Entry entry, byte[] name, boolean chunked) { }

    /** bup's {@code git.demangle_name}. */
    private static Demangled demangle(Tree.Entry e) {
        byte[] n = e.name();
        if (e.nameEndsWith(".bupl")) {
            return new Demangled(e, Arrays.copyOf(n, n.length - 5), false);
        }
        if (e.nameEndsWith(".bup")) {
            return new Demangled(e, Arrays.copyOf(n, n.length - 4), true);
        }
        if (e.nameEndsWith(".bupm")) {
            return new Demangled(e, Arrays.copyOf(n, n.length - 5), e.isTree());
        }
        return new Demangled(e, n, false);
    }

    private Listing readDirectory(VfsNode dir) throws IOException {
        Tree tree = reader.tree(dir.id());
        Tree.Entry bupm = tree.find(BUPM);
        List<Demangled> entries = new ArrayList<>(tree.size());
        for (Tree.Entry e : tree) {
            if (!e.nameEquals(BUPM) && !e.isGitlink()) {
                entries.add(demangle(e));
            }
        }
        if (bupm != null) {
            // .bupm records follow demangled-name order, not git order; List.sort is stable as bup's sorted().
            entries.sort((a, b) -> Arrays.compareUnsigned(a.name, b.name));
        }
        String base = dir.path().equals("/") ? "" : dir.path();
        List<VfsNode> children = new ArrayList<>(entries.size());
        Metadata dirMeta;
        try (InputStream meta = bupm == null ? null : bupmStream(bupm)) {
            dirMeta = meta == null ? Metadata.empty() : orEmpty(Metadata.decode(meta));
            for (Demangled d : entries) {
                String path = base + "/" + new String(d.name, StandardCharsets.UTF_8);
                Tree.Entry e = d.entry;
                if (e.isTree() && !d.chunked) {
                    children.add(new VfsNode(path, d.name, VfsNode.Kind.DIRECTORY, e.mode(), e.id(), null, false, null,
                            0, null, null, VfsNode.Selection.ITEM));
                    continue;
                }
                Metadata m = meta == null ? Metadata.empty() : orEmpty(Metadata.decode(meta));
                children.add(leafNode(path, d, m));
            }
        }
        if (bupm == null) {
            children.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
        }
        return new Listing(dir.metadataIfLoaded() != null ? dir : dir.withMetadata(dirMeta), children);
    }

    private static Metadata orEmpty(Metadata m) {
        return m == null ? Metadata.empty() : m;
    }

    private VfsNode leafNode(String path, Demangled d, Metadata m) throws IOException {
        Tree.Entry e = d.entry;
        VfsNode.Kind kind;
        if (!m.isEmpty()) {
            kind = m.isSymlink() ? VfsNode.Kind.SYMLINK
                    : m.isFifo() ? VfsNode.Kind.FIFO
                    : m.isSocket() ? VfsNode.Kind.SOCKET
                    : m.isCharDevice() || m.isBlockDevice() ? VfsNode.Kind.DEVICE
                    : VfsNode.Kind.FILE;
        } else {
            kind = e.isSymlink() ? VfsNode.Kind.SYMLINK : VfsNode.Kind.FILE;
        }
        byte[] target = null;
        long size = 0;
        if (kind == VfsNode.Kind.SYMLINK) {
            target = m.isEmpty() ? null : m.symlinkTarget();
            if (target == null) {
                try (InputStream in = new ContentStream(reader, e.id(), d.chunked)) {
                    target = in.readNBytes(4096);
                }
            }
            size = target.length;
        } else if (kind == VfsNode.Kind.FILE) {
            size = !m.isEmpty() && m.size() >= 0 ? m.size() : contentSize(e.id(), d.chunked);
        }
        return new VfsNode(path, d.name, kind, e.mode(), e.id(), null, d.chunked, m, size, target, null,
                VfsNode.Selection.ITEM);
    }

    /** A blob's size, or a chunk tree's: the hex offsets along the path to the last leaf plus its size (§4). */
    long contentSize(ObjectId id, boolean isTree) throws IOException {
        if (!isTree) {
            return reader.size(id);
        }
        long offset = 0;
        ObjectId cur = id;
        while (true) {
            Tree t = reader.tree(cur);
            if (t.size() == 0) {
                return offset;
            }
            Tree.Entry last = t.entries().getLast();
            try {
                offset += Long.parseLong(last.displayName(), 16);
            } catch (NumberFormatException ex) {
                throw new CorruptObjectException(cur, "chunk tree entry is not a hex offset: " + last.displayName(),
                        ex);
            }
            if (!last.isTree()) {
                return offset + reader.size(last.id());
            }
            cur = last.id();
        }
    }
}
