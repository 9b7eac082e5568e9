package io.mirrorfs.vfs.archive;

import java.util.Optional;
import java.util.function.Consumer;
import jnr.ffi.LibraryLoader;

/** Loads a system library through jnr-ffi, for the archive layer's native decoders. */
final class NativeLibraries {

    private NativeLibraries() {
    }

    /**
     * Returns {@code type} bound to the first of {@code names} that loads and answers
     * {@code probe} without error; empty off LP64 (the decoders' struct offsets assume it) or
     * when none loads.
     */
    static <T> Optional<T> load(Class<T> type, Consumer<T> probe, String... names) {
        if (!"64".equals(System.getProperty("sun.arch.data.model"))) {
            return Optional.empty();
        }
        for (String name : names) {
            try {
                T lib = LibraryLoader.create(type).failImmediately().load(name);
                probe.accept(lib);
                return Optional.of(lib);
            } catch (LinkageError | RuntimeException e) {
                // try the next name
            }
        }
        return Optional.empty();
    }
}
