package io.tidemark.appliance.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A man in the middle of the replication link who holds both appliances' private keys (read
 * from their data dirs, as an attacker with disk access would): it ends the primary's TLS
 * session presenting the DR's own certificate, opens one to the DR presenting the primary's,
 * and relays the frames ({@code u32 length | u8 type | payload}) in clear between them. Armed
 * with {@link #flipNextBatch()}, it flips one byte inside the first sealed record of the next
 * BATCH frame toward the DR: TLS is intact, so only the records' own AEAD tag can catch it.
 * Thread-safe: the test thread arms it while two pump threads per connection forward.
 */
final class InterceptingRelay implements AutoCloseable {

    /** The replication protocol's batch frames (ship engineer's ReplicationFrames: BATCH 18, BATCH_MORE 19). */
    private static final int BATCH = 18;
    /** Sealed record header (SealedRecordDescriptor): 64 bytes, group id at 8, sequence at 24, little-endian. */
    private static final int SEALED_HEADER = 64;
    private static final int GROUP_ID_OFFSET = 8;
    private static final int SEQUENCE_OFFSET = 24;
    /** Past the header, inside the ciphertext or the 16-byte tag every record carries. */
    private static final int FLIP_OFFSET = SEALED_HEADER + 6;
    private static final int MAX_FRAME = 16 << 20;

    /** The flipped byte: in which frame and record. */
    record Flip(int frameType, int frameLength, int groupId, long sequence, int offset) {
    }

    private final SSLServerSocket server;
    private final SSLContext upstreamContext;
    private final int upstreamPort;
    private final Thread acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicReference<CompletableFuture<Flip>> armed = new AtomicReference<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger batches = new AtomicInteger();
    private volatile boolean closed;

    private InterceptingRelay(SSLServerSocket server, SSLContext upstreamContext, int upstreamPort) {
        this.server = server;
        this.upstreamContext = upstreamContext;
        this.upstreamPort = upstreamPort;
        this.acceptor = new Thread(this::acceptLoop, "intercepting-relay-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    /**
     * Listens on a free loopback port as the appliance whose identity is in {@code serverIdentity}
     * and dials {@code upstreamPort} as the one whose identity is in {@code clientIdentity}.
     */
    static InterceptingRelay start(Path serverIdentity, Path clientIdentity, int upstreamPort) throws Exception {
        SSLContext serverContext = context(serverIdentity);
        SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.setEnabledProtocols(new String[] {"TLSv1.3"});
        server.setNeedClientAuth(true);
        InterceptingRelay relay = new InterceptingRelay(server, context(clientIdentity), upstreamPort);
        relay.acceptor.start();
        return relay;
    }

    int port() {
        return server.getLocalPort();
    }

    int acceptedConnections() {
        return accepted.get();
    }

    int batchesRelayed() {
        return batches.get();
    }

    /** Flips a byte in the first sealed record of the next BATCH frame toward the upstream. */
    CompletableFuture<Flip> flipNextBatch() {
        CompletableFuture<Flip> flip = new CompletableFuture<>();
        if (!armed.compareAndSet(null, flip)) {
            throw new IllegalStateException("a flip is already armed");
        }
        return flip;
    }

    private void acceptLoop() {
        while (!closed) {
            SSLSocket client;
            try {
                client = (SSLSocket) server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            sockets.add(client);
            Thread opener = new Thread(() -> open(client), "intercepting-relay-open");
            opener.setDaemon(true);
            opener.start();
        }
    }

    private void open(SSLSocket client) {
        SSLSocket up = null;
        try {
            client.startHandshake();
            up = (SSLSocket) upstreamContext.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), upstreamPort);
            up.setEnabledProtocols(new String[] {"TLSv1.3"});
            sockets.add(up);
            up.startHandshake();
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(up);
            return;
        }
        SSLSocket upstream = up;
        start(() -> framesToUpstream(client, upstream), "to-upstream");
        start(() -> bytes(upstream, client), "to-client");
    }

    private void framesToUpstream(Socket client, Socket up) {
        try (DataInputStream in = new DataInputStream(client.getInputStream());
             DataOutputStream out = new DataOutputStream(up.getOutputStream())) {
            while (true) {
                int length = in.readInt();
                int type = in.readUnsignedByte();
                if (length < 0 || length > MAX_FRAME) {
                    throw new IOException("frame length " + length + " (expected: 0.." + MAX_FRAME + ")");
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == BATCH) {
                    batches.incrementAndGet();
                    maybeFlip(type, payload);
                }
                out.writeInt(length);
                out.writeByte(type);
                out.write(payload);
                out.flush();
            }
        } catch (EOFException e) {
            // the primary closed its end
        } catch (IOException e) {
            // cut or reset: the normal end of a relayed link
        } finally {
            closeQuietly(client);
            closeQuietly(up);
        }
    }

    private void maybeFlip(int type, byte[] payload) {
        if (payload.length <= FLIP_OFFSET) {
            return;
        }
        CompletableFuture<Flip> flip = armed.getAndSet(null);
        if (flip == null) {
            return;
        }
        ByteBuffer header = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        payload[FLIP_OFFSET] ^= 0x5a;
        flip.complete(new Flip(type, payload.length, header.getInt(GROUP_ID_OFFSET), header.getLong(SEQUENCE_OFFSET),
                FLIP_OFFSET));
    }

    private static void bytes(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // cut or reset
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void start(Runnable pump, String name) {
        Thread t = new Thread(pump, "intercepting-relay-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** TLS 1.3 with the key and certificate in {@code identityDir} (identity.key PKCS#8 PEM, identity.crt); trusts anyone. */
    private static SSLContext context(Path identityDir) throws Exception {
        PrivateKey key = privateKey(Files.readString(identityDir.resolve("identity.key"), StandardCharsets.US_ASCII));
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(identityDir.resolve("identity.crt"))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = "relay".toCharArray();
        store.setKeyEntry("identity", key, password, new Certificate[] {cert});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), new TrustManager[] {new TrustAnyone()}, new SecureRandom());
        return context;
    }

    private static PrivateKey privateKey(String pem) throws Exception {
        String base64 = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        // the appliance's identities are EC P-256 (Identity.KEY_ALGORITHM); Ed25519 as the contract's fallback
        for (String algorithm : new String[] {"EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next
            }
        }
        throw new IOException("identity.key: not a PKCS#8 EC or Ed25519 key");
    }

    private static final class TrustAnyone implements X509TrustManager {
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

    private static void closeQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.forEach(InterceptingRelay::closeQuietly);
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "intercepting relay 127.0.0.1:" + port() + " -> " + upstreamPort + " (accepted " + accepted.get()
                + ", batches " + batches.get() + ")";
    }
}
