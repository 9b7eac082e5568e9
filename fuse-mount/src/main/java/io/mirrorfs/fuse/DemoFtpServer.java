package io.mirrorfs.fuse;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;

/**
 * The demo's loopback FTP server (Apache MINA FtpServer): anonymous, read-only, on 127.0.0.1,
 * so the demo shows an FTP source without an FTP server installed. Not for production use.
 */
final class DemoFtpServer implements AutoCloseable {

    private final FtpServer server;
    private final int port;

    private DemoFtpServer(FtpServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts serving {@code root} anonymously on an ephemeral 127.0.0.1 port. */
    static DemoFtpServer start(Path root) throws IOException {
        int port = freePort();
        FtpServerFactory factory = new FtpServerFactory();
        ListenerFactory listener = new ListenerFactory();
        listener.setServerAddress("127.0.0.1");
        listener.setPort(port);
        DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
        data.setPassiveAddress("127.0.0.1");
        data.setPassiveExternalAddress("127.0.0.1");
        listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
        factory.addListener("default", listener.createListener());
        ConnectionConfigFactory connections = new ConnectionConfigFactory();
        connections.setAnonymousLoginEnabled(true);
        connections.setMaxAnonymousLogins(32);
        connections.setMaxLogins(32);
        factory.setConnectionConfig(connections.createConnectionConfig());
        BaseUser anonymous = new BaseUser();
        anonymous.setName("anonymous");
        anonymous.setHomeDirectory(root.toAbsolutePath().toString());
        anonymous.setAuthorities(List.<Authority>of(new ConcurrentLoginPermission(32, 32)));
        try {
            factory.getUserManager().save(anonymous);
            FtpServer server = factory.createServer();
            server.start();
            return new DemoFtpServer(server, port);
        } catch (FtpException e) {
            throw new IOException("cannot start the demo FTP server: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Returns the base URL, such as {@code ftp://127.0.0.1:41234/}. */
    String url() {
        return "ftp://127.0.0.1:" + port + "/";
    }

    @Override
    public void close() {
        server.stop();
    }
}
