package io.mirrorfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.archive.ArchiveLayer;
import io.mirrorfs.vfs.archive.ArchiveOptions;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code NAME#} archive paths pass through the provider to the archive layer unchanged. */
class ArchiveThroughNioTest {

    @Test
    void zipMembersAreListedAndReadThroughNio(@TempDir Path dir) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve("bundle.zip"));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("docs/readme.txt"));
            zip.write("inside the zip\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        try (FileSystem fs = MirrorFileSystems.newFileSystem(new ArchiveLayer(new LocalSource(dir, false), ArchiveOptions.defaults()))) {
            Path member = fs.getPath("/bundle.zip#/docs/readme.txt");
            assertEquals("inside the zip\n", Files.readString(member));
            assertTrue(Files.isDirectory(fs.getPath("/bundle.zip#")));
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(fs.getPath("/bundle.zip#/docs"), "*.txt")) {
                ds.forEach(p -> names.add(p.toString()));
            }
            assertEquals(List.of("/bundle.zip#/docs/readme.txt"), names);
            assertEquals(member, Path.of(member.toUri()));
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.delete(member));
        }
    }
}
