/**
 * Restoring snapshots to the file system with bup's semantics ({@link dev.burrow.core.restore.Restorer}).
 * Arguments are non-null. Calls block and are cancelled by interrupting the calling thread.
 */
package dev.burrow.core.restore;
