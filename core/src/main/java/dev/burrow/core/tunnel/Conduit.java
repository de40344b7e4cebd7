package dev.burrow.core.tunnel;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One open stream through the tunnel. Closing {@link #output()} half-closes (the far side sees EOF while
 * data can still arrive on {@link #input()}); {@link #close()} tears the whole stream down.
 */
public interface Conduit extends Closeable {
    InputStream input();

    OutputStream output();
}
