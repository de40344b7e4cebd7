/**
 * File metadata as bup 0.33.7 stores it in {@code .bupm} entries: reading it from the file system,
 * the exact byte encoding, and applying it to restored files.
 *
 * <p>{@link dev.burrow.core.meta.Metadata} is the value; {@link dev.burrow.core.meta.Vint} holds bup's
 * integer encodings. Reading and applying call libc through the FFM API and need 64-bit Linux and
 * {@code --enable-native-access} for this module; encoding and decoding work anywhere. All types are
 * immutable and thread safe unless documented otherwise. Arguments must not be null unless a method
 * says so. File system failures are checked {@link java.io.IOException}s naming the path.
 */
package dev.burrow.core.meta;
