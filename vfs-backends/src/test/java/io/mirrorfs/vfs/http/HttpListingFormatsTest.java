package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mirrorfs.testing.ApacheServer;
import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every listing variant of the real nginx and Apache, and basic auth, against the same tree. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpListingFormatsTest {

    private GeneratedTree tree;

    @BeforeAll
    void makeTree() throws IOException {
        tree = GeneratedTree.create(false);
    }

    @AfterAll
    void deleteTree() {
        tree.close();
    }

    private void assertServes(String url, SourceOptions options) throws IOException {
        try (Vfs vfs = Sources.open(url, options)) {
            Path odd = tree.root().resolve("odd names");
            Set<String> want;
            try (Stream<Path> s = Files.list(odd)) {
                want = s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            }
            List<DirEntry> listed = vfs.list(VfsPath.parse("/odd names"));
            assertEquals(want, listed.stream().map(DirEntry::name).collect(Collectors.toCollection(TreeSet::new)), url);
            for (String n : want) {
                assertEquals(Files.isDirectory(odd.resolve(n)) ? 0 : Files.size(odd.resolve(n)),
                        vfs.stat(VfsPath.parse("/odd names").resolve(n)).size(), url + " " + n);
            }
            assertEquals(Files.size(tree.root().resolve("random-3m.bin")), vfs.stat(VfsPath.parse("/random-3m.bin")).size());
        }
    }

    @Test
    void nginxHumanSizes() throws IOException {
        try (NginxServer s = NginxServer.start(tree.root(), NginxServer.Listing.HUMAN)) {
            assertServes(s.url(), SourceOptions.DEFAULTS);
        }
    }

    @Test
    void nginxJson() throws IOException {
        try (NginxServer s = NginxServer.start(tree.root(), NginxServer.Listing.JSON)) {
            assertServes(s.url(), SourceOptions.DEFAULTS);
        }
    }

    @Test
    void apachePlainAndTable() throws IOException {
        for (ApacheServer.Listing l : List.of(ApacheServer.Listing.PLAIN, ApacheServer.Listing.TABLE)) {
            try (ApacheServer s = ApacheServer.start(tree.root(), l)) {
                assertServes(s.url(), SourceOptions.DEFAULTS);
            }
        }
    }

    @Test
    void basicAuthFromUserInfoOrCredentialsFile() throws IOException {
        try (NginxServer s = NginxServer.withBasicAuth(tree.root(), NginxServer.Listing.EXACT, "mirror", "s3cr%t pass")) {
            String priv = s.url() + "private/";
            assertServes(priv.replace("http://", "http://mirror:s3cr%25t%20pass@"), SourceOptions.DEFAULTS);
            Path creds = Files.createTempFile("mirrorfs-creds", ".txt");
            try {
                Files.writeString(creds, "# comment\nhttp://other.example/ x y\n" + s.url() + " mirror s3cr%t pass\n");
                assertServes(priv, SourceOptions.builder().credentialsFile(creds).build());
            } finally {
                Files.delete(creds);
            }
            try (Vfs noAuth = Sources.open(priv, SourceOptions.DEFAULTS)) {
                assertThrows(AccessDeniedException.class, () -> noAuth.list(VfsPath.ROOT));
            }
            try (Vfs wrong = Sources.open(priv.replace("http://", "http://mirror:nope@"), SourceOptions.DEFAULTS)) {
                AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> wrong.list(VfsPath.ROOT));
                assertEquals(-1, e.getMessage().indexOf("nope"), e.getMessage());
                assertEquals(-1, wrong.describe().indexOf("nope"));
            }
        }
    }
}
