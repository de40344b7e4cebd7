package dev.burrow.core.index;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The order of index entries: path bytes compared unsigned, except that {@code /} sorts before every other
 * byte. That is component-wise order, so a directory is directly followed by everything below it (a plain
 * byte order would put {@code d-x} between {@code d} and {@code d/a}), which lets a merge walk the tree
 * depth-first with a stack of ancestors.
 */
final class Keys {
    private Keys() { }

    private static int rank(int b) {
        return b == '/' ? 0 : (b & 0xff) + 1;
    }

    /**
     * Compares two paths. {@link MemorySegment#mismatch} finds the first differing byte with vector
     * instructions, and paths in one index share long prefixes (the source directory), so this is much
     * cheaper than a byte loop, above all before the JIT has compiled one: every lookup, sort and merge
     * step of a save comes here.
     */
    static int compare(MemorySegment a, long aOff, int aLen, MemorySegment b, long bOff, int bLen) {
        long at = MemorySegment.mismatch(a, aOff, aOff + aLen, b, bOff, bOff + bLen);
        if (at < 0) {
            return 0;
        }
        if (at == aLen || at == bLen) {
            return Integer.compare(aLen, bLen);
        }
        return rank(a.get(ValueLayout.JAVA_BYTE, aOff + at)) - rank(b.get(ValueLayout.JAVA_BYTE, bOff + at));
    }
}
