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

    static int compare(MemorySegment a, long aOff, int aLen, byte[] b, int bOff, int bLen) {
        int n = Math.min(aLen, bLen);
        for (int i = 0; i < n; i++) {
            int x = a.get(ValueLayout.JAVA_BYTE, aOff + i);
            int y = b[bOff + i];
            if (x != y) {
                return rank(x) - rank(y);
            }
        }
        return Integer.compare(aLen, bLen);
    }

    static int compare(MemorySegment a, long aOff, int aLen, MemorySegment b, long bOff, int bLen) {
        int n = Math.min(aLen, bLen);
        for (int i = 0; i < n; i++) {
            int x = a.get(ValueLayout.JAVA_BYTE, aOff + i);
            int y = b.get(ValueLayout.JAVA_BYTE, bOff + i);
            if (x != y) {
                return rank(x) - rank(y);
            }
        }
        return Integer.compare(aLen, bLen);
    }
}
