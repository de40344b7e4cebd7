package dev.burrow.core.store;
/** PLACEHOLDER - not to be committed. */
public final class ObjectReader implements AutoCloseable {
    ObjectReader(Repository r) { }
    @Override public void close() { }
}
