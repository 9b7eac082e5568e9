package io.mirrorfs.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.vfs.SourceMetrics.ErrorClass;
import io.mirrorfs.vfs.SourceMetrics.RequestKind;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Error classes and request kinds as the metrics label them. */
class SourceMetricsTest {

    @Test
    void classifiesFailuresThroughTheirCauses() {
        assertEquals(ErrorClass.TIMEOUT, ErrorClass.of(new SocketTimeoutException("Read timed out")));
        assertEquals(ErrorClass.TIMEOUT, ErrorClass.of(new IOException("listing http://x/: boom", new SocketTimeoutException())));
        assertEquals(ErrorClass.TIMEOUT, ErrorClass.of(new IOException("no complete answer within 10000 ms (the server answers too slowly)")));
        assertEquals(ErrorClass.REFUSED, ErrorClass.of(new IOException("reading", new ConnectException("Connection refused"))));
        assertEquals(ErrorClass.REFUSED, ErrorClass.of(new UnknownHostException("nowhere")));
        assertEquals(ErrorClass.PROTOCOL, ErrorClass.of(new SocketException("Connection reset")));
        assertEquals(ErrorClass.PROTOCOL, ErrorClass.of(new EOFException("data stream ended")));
        assertEquals(ErrorClass.STATUS_4XX, ErrorClass.ofStatus(403));
        assertEquals(ErrorClass.STATUS_5XX, ErrorClass.ofStatus(503));
        assertEquals("4xx", ErrorClass.STATUS_4XX.label());
        assertEquals("timeout", ErrorClass.TIMEOUT.label());
    }

    @Test
    void kindsBelongToTheirScheme() {
        assertEquals(List.of(RequestKind.HTTP_RANGE_GET, RequestKind.HTTP_LISTING, RequestKind.HTTP_HEAD), RequestKind.ofScheme("https"));
        assertEquals(List.of(RequestKind.FTP_RETR, RequestKind.FTP_LIST, RequestKind.FTP_SIZE_MDTM), RequestKind.ofScheme("ftp"));
        assertEquals(List.of(), RequestKind.ofScheme("file"));
        assertEquals("http_range_get", RequestKind.HTTP_RANGE_GET.label());
    }
}
