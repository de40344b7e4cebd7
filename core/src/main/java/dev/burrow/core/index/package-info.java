/**
 * The filesystem index ({@link dev.burrow.core.index.FileIndex}): what each path looked like (lstat
 * fingerprint) when a save stored it, and as which blob or tree, so the next save reuses unchanged files
 * without reading them and an interrupted save resumes. A local cache, not repository data; its entries
 * are hints that the save confirms against the repository. Arguments are non-null. Calls block on file
 * I/O.
 */
package dev.burrow.core.index;
