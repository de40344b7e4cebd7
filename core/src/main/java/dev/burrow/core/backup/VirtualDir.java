package dev.burrow.core.backup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * A directory of the snapshot being written, before it is written: where its own metadata comes from
 * (null for a synthetic directory made by {@code --graft}), which real directories' contents it holds,
 * and the sources placed below it. The plan has one node per distinct ancestor of the sources, so it
 * stays tiny whatever the size of the trees saved.
 */
final class VirtualDir {
    private Path metadataSource;
    private final List<Path> contentsOf = new ArrayList<>();
    private final TreeMap<byte[], VirtualDir> children = new TreeMap<>(Arrays::compareUnsigned);
    private final TreeMap<byte[], Path> files = new TreeMap<>(Arrays::compareUnsigned);

    VirtualDir(Path metadataSource) {
        this.metadataSource = metadataSource;
    }

    /** A real directory saved with all its contents. */
    static VirtualDir real(Path dir) {
        VirtualDir d = new VirtualDir(dir);
        d.contentsOf.add(dir);
        return d;
    }

    Path metadataSource() {
        return metadataSource;
    }

    void setMetadataSourceIfAbsent(Path p) {
        if (metadataSource == null) {
            metadataSource = p;
        }
    }

    List<Path> contentsOf() {
        return contentsOf;
    }

    TreeMap<byte[], VirtualDir> children() {
        return children;
    }

    TreeMap<byte[], Path> files() {
        return files;
    }

    VirtualDir child(byte[] name, Path metadataSource) {
        return children.computeIfAbsent(name, n -> new VirtualDir(metadataSource));
    }
}
