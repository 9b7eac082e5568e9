package io.mirrorfs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A self-signed certificate for 127.0.0.1 made by openssl, its key, and a PKCS12 trust store
 * (password {@code changeit}) holding it for the client side, for TLS test servers.
 *
 * @param cert       the PEM certificate
 * @param key        the PEM private key
 * @param trustStore the PKCS12 trust store
 */
public record TestCertificate(Path cert, Path key, Path trustStore) {

    /** Creates the certificate, key and trust store in {@code dir}. */
    public static TestCertificate create(Path dir) throws IOException {
        TestCertificate c = new TestCertificate(dir.resolve("cert.pem"), dir.resolve("key.pem"), dir.resolve("truststore.p12"));
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", c.key.toString(), "-out", c.cert.toString());
        run("keytool", "-importcert", "-noprompt", "-alias", "test", "-file", c.cert.toString(),
                "-keystore", c.trustStore.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        return c;
    }

    /** Returns the JVM options that make a client JVM trust the certificate in {@code trustStore}. */
    public static java.util.List<String> trustingJvmOptions(Path trustStore) {
        return java.util.List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit",
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    /** Returns a TLS context trusting only this certificate (the JVM's defaults otherwise: host name checks stay on). */
    public javax.net.ssl.SSLContext trustingContext() throws IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(trustStore)) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(in, "changeit".toCharArray());
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot load " + trustStore + ": " + e.getMessage(), e);
        }
    }

    private static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
