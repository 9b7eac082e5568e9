package io.mirrorfs.vfs.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.util.TimeValue;

/**
 * Resends a request once when a kept-alive connection turns out closed by the server before it
 * answered (the server closed the idle socket as the request went out; RFC 9112 section 9.3.1
 * allows the retry for idempotent methods, and we send only GET and HEAD). A fresh connection
 * failing the same way is a real failure, left to the source's own retries, so a broken server
 * costs as many requests as before. Statuses are never retried here. Stateless, thread-safe.
 *
 * <p>The client's {@code DefaultHttpRequestRetryStrategy} cannot tell a reused connection from a
 * fresh one; the connection's request count, which the client puts in the context before
 * sending, can.
 */
final class StaleConnectionRetry implements HttpRequestRetryStrategy {

    @Override
    public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
        if (execCount > 1 || !closedBeforeAnswer(exception)) {
            return false;
        }
        EndpointDetails conn = HttpCoreContext.cast(context).getEndpointDetails();
        return conn != null && conn.getRequestCount() > 1;
    }

    private static boolean closedBeforeAnswer(IOException e) {
        return e instanceof NoHttpResponseException
                || e instanceof SocketException && !(e instanceof ConnectException) && !(e.getCause() instanceof SSLException);
    }

    @Override
    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
        return false;
    }

    @Override
    public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
        return TimeValue.ZERO_MILLISECONDS;
    }

    @Override
    public TimeValue getRetryInterval(HttpRequest request, IOException exception, int execCount, HttpContext context) {
        return TimeValue.ZERO_MILLISECONDS;
    }
}
