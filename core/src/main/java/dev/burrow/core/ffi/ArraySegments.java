package dev.burrow.core.ffi;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The memory segments of the last few arrays a binding passed to native code, most recent first. A save calls its
 * native code chunk after chunk on a few long-lived buffers (read blocks, batch buffers); wrapping each array once
 * keeps those calls free of allocation where the JIT cannot scalar-replace the segment (C1, which runs the save).
 * Not thread safe: one per binding instance.
 */
public final class ArraySegments {
    private final byte[][] arrays;
    private final MemorySegment[] segments;

    /** Remembers the last {@code size} arrays. */
    public ArraySegments(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size " + size);
        }
        arrays = new byte[size][];
        segments = new MemorySegment[size];
    }

    /** The segment of {@code array}: the remembered one, or a new one that replaces the least recent. */
    public MemorySegment of(byte[] array) {
        if (arrays[0] == array) {
            return segments[0];   // the usual case, kept apart: this runs per chunk, in C1-compiled code
        }
        int i = 1;
        while (i < arrays.length && arrays[i] != array) {
            i++;
        }
        MemorySegment s;
        if (i < arrays.length) {
            s = segments[i];
        } else {
            i = arrays.length - 1;   // the least recent goes
            s = MemorySegment.ofArray(array);
        }
        System.arraycopy(arrays, 0, arrays, 1, i);
        System.arraycopy(segments, 0, segments, 1, i);
        arrays[0] = array;
        segments[0] = s;
        return s;
    }

    /** Forgets every array, so that none is kept alive. */
    public void clear() {
        Arrays.fill(arrays, null);
        Arrays.fill(segments, null);
    }
}
