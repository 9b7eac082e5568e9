package io.mirrorfs.cache;

import java.io.IOException;

/** Produces a value with I/O that may fail: an upstream fetch or lookup. */
@FunctionalInterface
interface IoSupplier<T> {

    /** Returns the value, never null. */
    T get() throws IOException;
}
