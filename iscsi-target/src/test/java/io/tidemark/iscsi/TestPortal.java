package io.tidemark.iscsi;

import io.tidemark.iscsi.client.IscsiTestClient;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.iscsi.spi.MemoryLogicalUnit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An IscsiServer on a random loopback port with three targets, each served by a
 * {@link FakeScsiExecutor}: {@link #DISK} (LUNs 0 and 1, open), {@link #CHAP} (CHAP, mutual
 * possible) and {@link #PRIVATE} (allow-list without the test client). Close it after use.
 */
public final class TestPortal implements AutoCloseable {

    public static final String DISK = "iqn.2026-11.io.tidemark.test:disk";
    public static final String CHAP = "iqn.2026-11.io.tidemark.test:chap";
    public static final String PRIVATE = "iqn.2026-11.io.tidemark.test:private";
    public static final String CHAP_USER = "alice";
    public static final String CHAP_SECRET = "alicesecret12";
    public static final String MUTUAL_SECRET = "targetsecret12";

    static {
        // every buffer tracked, and Netty's leak reports visible (the test classpath has no SLF4J provider)
        io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(
                io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.PARANOID);
    }

    public final TargetRegistry registry = new TargetRegistry();
    public final Map<String, FakeScsiExecutor> executors = new ConcurrentHashMap<>();
    public final IscsiServer server;

    public TestPortal() throws InterruptedException {
        this(IscsiSettings.DEFAULT_KEEPALIVE);
    }

    public TestPortal(Duration keepalive) throws InterruptedException {
        TargetNode disk = registry.add(new TargetNode(DISK, "disk", null, Set.of()));
        disk.addLun(lun(0));
        disk.addLun(lun(1));
        registry.add(new TargetNode(CHAP, null,
                new TargetNode.ChapCredentials(CHAP_USER, CHAP_SECRET, "target", MUTUAL_SECRET), Set.of()))
                .addLun(lun(0));
        registry.add(new TargetNode(PRIVATE, null, null, Set.of("iqn.2026-11.io.tidemark.test:someone-else")))
                .addLun(lun(0));
        IscsiSettings settings = new IscsiSettings("127.0.0.1", 0, 1, null)
                .withKeepaliveInterval(keepalive).withWorkerThreads(2).withLogoutGrace(Duration.ofSeconds(2));
        server = new IscsiServer(registry, settings,
                node -> executors.computeIfAbsent(node.iqn(), k -> new FakeScsiExecutor(node, 16384)));
        server.start();
    }

    private static LunDescriptor lun(int n) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = (byte) n;
        return new LunDescriptor(n, "lun" + n, naa, true, new MemoryLogicalUnit(2048));
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    public IscsiTestClient connect() throws IOException {
        return IscsiTestClient.connect(address());
    }

    /** A client logged in to {@link #DISK} with the given digests. */
    public IscsiTestClient loggedIn(boolean headerDigest, boolean dataDigest) throws IOException {
        IscsiTestClient c = connect();
        int status = c.login(IscsiTestClient.Login.none(DISK).digests(headerDigest, dataDigest));
        if (status != 0) {
            c.close();
            throw new IOException("login failed: 0x" + Integer.toHexString(status));
        }
        return c;
    }

    public FakeScsiExecutor disk() {
        return executors.get(DISK);
    }

    @Override
    public void close() {
        server.close();
        if (Boolean.getBoolean("tidemark.leakcheck")) {
            // the detector reports a leaked buffer only after it was collected and on a later allocation
            for (int i = 0; i < 3; i++) {
                System.gc();
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(64).release();
            }
        }
    }
}
