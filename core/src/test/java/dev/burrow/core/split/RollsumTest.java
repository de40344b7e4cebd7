package dev.burrow.core.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class RollsumTest {
    @Test
    void freshDigestMatchesBup() {
        assertEquals(0x07c0e840, new Rollsum().digest());
    }

    @Test
    void digestAfterBytes0To255MatchesBup() {
        Rollsum r = new Rollsum();
        for (int i = 0; i < 256; i++) {
            r.roll((byte) i);
        }
        assertEquals(0x3fa0aae0, r.digest());
    }

    @Test
    void zerosNeverSplit() {
        Rollsum r = new Rollsum();
        for (int i = 0; i < 100_000; i++) {
            r.roll((byte) 0);
            assertFalse(r.atBoundary());
        }
        assertEquals(0x1e840, r.digest() & 0xffff | 0x10000);
    }

    @Test
    void levelSkipsBit13AndCountsOnesFromBit14() {
        assertEquals(1, Rollsum.level(0x263bdfff));
        assertEquals(0, Rollsum.level(0x00001fff));
        assertEquals(0, Rollsum.level(0x00003fff));
        assertEquals(1, Rollsum.level(0x0003dfff));
        assertEquals(4, Rollsum.level(0xffffffff));
    }
}
