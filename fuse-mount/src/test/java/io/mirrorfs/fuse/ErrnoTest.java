package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.StaleFileException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrnoTest {

    // Linux errno values (asm-generic/errno-base.h), written out so the table is checkable by eye.
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(new NoSuchFileException("/x"), 2),
                Arguments.of(new NotDirectoryException("/x"), 20),
                Arguments.of(new IsDirectoryException("/x"), 21),
                Arguments.of(new NotLinkException("/x"), 22),
                Arguments.of(new AccessDeniedException("/x"), 13),
                Arguments.of(new ReadOnlyFileSystemException(), 30),
                Arguments.of(new IllegalArgumentException("invalid path segment"), 2),
                Arguments.of(new StaleFileException("/x", "v1", "v2"), 5),
                Arguments.of(new ConnectException("Connection refused"), 5),
                Arguments.of(new SocketTimeoutException("Read timed out"), 5),
                Arguments.of(new IOException("anything else"), 5),
                Arguments.of(new NullPointerException("a bug"), 5),
                Arguments.of(new OutOfMemoryError("even this"), 5));
    }

    @ParameterizedTest
    @MethodSource("table")
    void mapsToLinuxErrno(Throwable failure, int errno) {
        assertEquals(errno, Errno.classify(failure));
        assertEquals(-errno, Errno.of(failure, "test", "/x"));
    }
}
