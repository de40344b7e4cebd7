/** Loading the C libraries of module {@code burrow-native}, shared by their FFM bindings. */
package dev.burrow.core.ffi;
