package dev.burrow.core.zlib;

import java.util.zip.DataFormatException;

/** A zlib stream that is damaged, truncated, or inflates to another size than expected. */
public final class ZlibException extends DataFormatException {
    private static final long serialVersionUID = 1L;

    public ZlibException(String message) {
        super(message);
    }
}
