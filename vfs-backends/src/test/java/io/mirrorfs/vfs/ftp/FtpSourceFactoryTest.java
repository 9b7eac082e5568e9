package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.SourceOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** URL parsing and login resolution; no network. */
class FtpSourceFactoryTest {

    private final FtpSourceFactory factory = new FtpSourceFactory(Map.of("FTP_PW", "from env")::get);

    private FtpEndpoint endpoint(String url, SourceOptions options) throws IOException {
        return factory.endpoint(URI.create(url), options);
    }

    @Test
    void anonymousByDefaultWithDecodedDirectory() throws IOException {
        FtpEndpoint e = endpoint("ftp://ftp.example.org/pub/some%20dir/", SourceOptions.DEFAULTS);
        assertEquals("anonymous", e.user());
        assertEquals("ftp.example.org", e.host());
        assertEquals(21, e.port());
        assertEquals(List.of("pub", "some dir"), e.dirSegments());
        assertFalse(e.tls());
        assertFalse(e.activeMode());
        assertEquals(4, e.maxConnections());
    }

    @Test
    void userAndPasswordFromTheUrlNeverShow() throws IOException {
        FtpEndpoint e = endpoint("ftps://bob:p%40ss%3Aw+rd@h:2121/", SourceOptions.DEFAULTS);
        assertEquals("bob", e.user());
        assertEquals("p@ss:w+rd", e.password());
        assertTrue(e.tls());
        assertEquals("ftps://bob@h:2121/", e.displayUrl());
        assertFalse(e.toString().contains("p@ss"));
    }

    @Test
    void passwordFromTheEnvironmentVariableNamedInTheUrl() throws IOException {
        FtpEndpoint e = endpoint("ftp://bob@h/?password_env=FTP_PW", SourceOptions.DEFAULTS);
        assertEquals("bob", e.user());
        assertEquals("from env", e.password());
        assertThrows(IllegalArgumentException.class, () -> endpoint("ftp://bob@h/?password_env=MISSING", SourceOptions.DEFAULTS));
    }

    @Test
    void credentialsFileLongestMatchingUrlWins(@TempDir Path tmp) throws IOException {
        Path creds = tmp.resolve("creds");
        Files.writeString(creds, """
                # comment
                ftp://h/ alice alice password
                ftp://h/private/ carol carol's pass with spaces
                ftp://other/ mallory x
                """);
        SourceOptions o = SourceOptions.builder().credentialsFile(creds).build();
        assertEquals("alice", endpoint("ftp://h/pub/", o).user());
        FtpEndpoint carol = endpoint("ftp://h/private/x/", o);
        assertEquals("carol", carol.user());
        assertEquals("carol's pass with spaces", carol.password());
        // A user named in the URL only takes lines for that user.
        assertEquals("alice password", endpoint("ftp://alice@h/private/", o).password());
        assertEquals("anonymous", endpoint("ftp://elsewhere/", o).user());
    }

    @Test
    void queryOptions() throws IOException {
        FtpEndpoint e = endpoint("ftp://h/?mode=active&connections=9", SourceOptions.DEFAULTS);
        assertTrue(e.activeMode());
        assertEquals(9, e.maxConnections());
        assertEquals(1, endpoint("ftp://h/", SourceOptions.builder().maxConnections(1).build()).maxConnections());
        assertTrue(endpoint("ftp://h/", SourceOptions.builder().ftpActiveMode(true).build()).activeMode());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> endpoint("ftp://u:secret@h/?bogus=1", SourceOptions.DEFAULTS));
        assertFalse(bad.getMessage().contains("secret"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> endpoint("ftp://h/?connections=0", SourceOptions.DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> endpoint("ftp://h/?mode=sideways", SourceOptions.DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> endpoint("ftp:///dir/", SourceOptions.DEFAULTS));
    }

    @Test
    void creatingASourceForAnUnreachableServerDoesNoNetworkIo() throws IOException {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): connecting would hang until the timeout.
        SourceOptions o = SourceOptions.builder().connectTimeout(Duration.ofMinutes(5)).build();
        try (var v = factory.create(URI.create("ftp://192.0.2.1/pub/"), o)) {
            assertEquals("ftp://192.0.2.1/pub/", v.describe());
        }
    }
}
