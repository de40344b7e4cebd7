/**
 * Browsing a repository as bup's virtual filesystem ({@link dev.burrow.core.browse.Vfs}), and
 * {@link dev.burrow.core.browse.Join} for {@code bup split} output.
 *
 * <p>Names are raw bytes; strings are for display and for paths typed by a user (encoded as UTF-8).
 * Arguments are non-null unless documented otherwise. Classes here are not thread safe unless they say so;
 * every call may block on disk I/O.
 */
package dev.burrow.core.browse;
