package dev.burrow.core.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class ArraySegmentsTest {
    @Test
    void theLastArraysKeepTheirSegmentsAndTheLeastRecentIsReplaced() {
        byte[] a = new byte[3];
        byte[] b = new byte[5];
        byte[] c = new byte[7];
        ArraySegments two = new ArraySegments(2);
        MemorySegment sa = two.of(a);
        MemorySegment sb = two.of(b);
        assertEquals(a.length, sa.byteSize());
        assertSame(sa, two.of(a));
        assertSame(sb, two.of(b));
        assertSame(sa, two.of(a));   // a is now the most recent, b the least
        two.of(c);                   // replaces b
        assertSame(sa, two.of(a));
        assertNotSame(sb, two.of(b));
        assertEquals(b.length, two.of(b).byteSize());
    }

    @Test
    void oneSlotFollowsTheArrayAndClearForgetsIt() {
        byte[] a = new byte[3];
        ArraySegments one = new ArraySegments(1);
        MemorySegment sa = one.of(a);
        assertSame(sa, one.of(a));
        assertNotSame(sa, one.of(new byte[3]));
        MemorySegment again = one.of(a);
        assertNotSame(sa, again);
        one.clear();
        assertNotSame(again, one.of(a));
    }
}
