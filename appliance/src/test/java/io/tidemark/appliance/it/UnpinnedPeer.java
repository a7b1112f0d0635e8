package io.tidemark.appliance.it;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An impostor on the replication port: a fresh EC P-256 key pair and self-signed certificate
 * made with the JDK's keytool (nothing of Tidemark's), claiming an appliance name, that
 * completes (or tries) a TLS 1.3 handshake with mutual authentication and sends one
 * replication frame (not a PAIR frame). Stateless; thread-safe.
 */
final class UnpinnedPeer {

    /** Frame layout of the replication link: u32 payload length | u8 type | payload. */
    private static final int FRAME_TYPE_FIRST_REPLICATION = 16;
    private static final String PASSWORD = "impostor";
    private static final Duration READ_DEADLINE = Duration.ofSeconds(10);

    /**
     * What the impostor saw.
     *
     * @param handshakeCompleted whether TLS completed (an unpinned certificate may still pair)
     * @param bytesReceived      application bytes received before the connection ended
     * @param closedByPeer       whether the server ended the connection (EOF, reset or TLS alert)
     * @param detail             how it ended, for messages
     */
    record Outcome(boolean handshakeCompleted, int bytesReceived, boolean closedByPeer, String detail) {
    }

    private UnpinnedPeer() {
    }

    static Outcome dial(Path dir, String host, int port, String claimedName) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers(dir, claimedName), new TrustManager[] {new TrustEveryServer()}, new SecureRandom());
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            socket.setSoTimeout(Math.toIntExact(READ_DEADLINE.toMillis()));
            boolean handshake = false;
            int received = 0;
            try {
                socket.startHandshake();
                handshake = true;
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeInt(8);
                out.writeByte(FRAME_TYPE_FIRST_REPLICATION);
                out.writeLong(0x7469_6465_6d61_726bL);
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[4096];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    received += n;
                }
                return new Outcome(true, received, true, "end of stream");
            } catch (SocketTimeoutException e) {
                return new Outcome(handshake, received, false, "connection still open after "
                        + READ_DEADLINE.toSeconds() + " s");
            } catch (SSLException | SocketException e) {
                return new Outcome(handshake, received, true, e.toString());
            }
        }
    }

    /** A PKCS#12 key store holding a key pair and self-signed certificate made by keytool now. */
    private static javax.net.ssl.KeyManager[] keyManagers(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        Path store = dir.resolve("impostor-" + System.nanoTime() + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        ToolRun run = ExternalTool.at(keytool).run(dir, Duration.ofMinutes(1),
                "-genkeypair", "-alias", "impostor", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        if (!run.succeeded()) {
            throw new AssertionError("keytool could not make a key pair: " + run.describe());
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        } catch (IOException e) {
            throw new AssertionError("reading " + store, e);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD.toCharArray());
        return factory.getKeyManagers();
    }

    /** The impostor does not care who the server is: it only wants bytes. */
    private static final class TrustEveryServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
