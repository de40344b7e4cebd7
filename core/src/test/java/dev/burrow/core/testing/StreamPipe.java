package dev.burrow.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Test plumbing: copies both ways between two byte streams with half-close, the way a tunnel relay does. */
public final class StreamPipe {
    private StreamPipe() {
    }

    /** Copies until EOF, flushing every read; then runs {@code eof} (a half-close). */
    public static void copy(InputStream in, OutputStream out, Runnable eof) throws IOException {
        byte[] buffer = new byte[32 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
        eof.run();
    }

    /**
     * Runs both directions (one on a new virtual thread, one on the caller) and returns when both ended; on an
     * error in either, {@code abort} closes everything so the other direction ends too.
     */
    public static void both(InputStream aIn, OutputStream aOut, Runnable aEof, InputStream bIn, OutputStream bOut,
            Runnable bEof, Runnable abort) throws InterruptedException {
        Thread up = Thread.ofVirtual().start(() -> {
            try {
                copy(aIn, bOut, bEof);
            } catch (IOException e) {
                abort.run();
            }
        });
        try {
            copy(bIn, aOut, aEof);
        } catch (IOException e) {
            abort.run();
        }
        up.join();
    }
}
