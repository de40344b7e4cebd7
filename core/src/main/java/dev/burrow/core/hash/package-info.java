/**
 * SHA-1 for the save's hot paths: {@link dev.burrow.core.hash.Sha1Hashers} picks C with the CPU's SHA instructions
 * (module {@code burrow-native}) or the JDK's.
 */
package dev.burrow.core.hash;
