/**
 * Repository verification ({@link dev.burrow.core.check.Fsck}): pack integrity and snapshot completeness.
 * Arguments are non-null. Calls block and are cancelled by interrupting the calling thread.
 */
package dev.burrow.core.check;
