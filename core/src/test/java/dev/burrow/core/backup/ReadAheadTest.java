package dev.burrow.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReadAheadTest {
    @Test
    void filesAreFetchedAheadUpToTheWindowAndAgainOnceTheReaderGivesBytesBack() {
        ReadAhead readAhead = new ReadAhead();
        long big = ReadAhead.PER_FILE * 3;
        int granted = 0;
        ReadAhead.Grant grant;
        do {
            grant = readAhead.new Grant();
            grant.applyAsLong(big);
            granted++;
        } while (grant.bytes() > 0);
        // Whole grants of PER_FILE until the window is reached, then none.
        assertEquals(ReadAhead.WINDOW / ReadAhead.PER_FILE + 1, granted);
        assertEquals(ReadAhead.WINDOW, readAhead.outstanding());
        assertEquals(0, readAhead.new Grant().applyAsLong(10));

        readAhead.release(ReadAhead.PER_FILE);
        ReadAhead.Grant small = readAhead.new Grant();
        assertEquals(10, small.applyAsLong(10));
        assertEquals(10, small.bytes());
        assertEquals(0, readAhead.new Grant().applyAsLong(0), "an empty file needs nothing");
        assertEquals(ReadAhead.WINDOW - ReadAhead.PER_FILE + 10, readAhead.outstanding());
    }
}
