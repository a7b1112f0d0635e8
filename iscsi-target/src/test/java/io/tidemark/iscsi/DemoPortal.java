package io.tidemark.iscsi;

import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.iscsi.spi.MemoryLogicalUnit;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A portal over in-memory LUNs for running real initiators by hand:
 * {@code java ... io.tidemark.iscsi.DemoPortal PORT [MiB [WORKERS]]} serves
 * {@code iqn.2026-11.io.tidemark:demo} (LUNs 0 and 1, no auth) and
 * {@code iqn.2026-11.io.tidemark:chap} (CHAP user/secretsecret12, mutual target/mutualsecret1).
 */
public final class DemoPortal {

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 3261;
        long mib = args.length > 1 ? Long.parseLong(args[1]) : 256;
        TargetRegistry registry = new TargetRegistry();
        TargetNode demo = registry.add(new TargetNode("iqn.2026-11.io.tidemark:demo", "demo", null, Set.of()));
        demo.addLun(new LunDescriptor(0, "demo0", naa(1), true, new MemoryLogicalUnit(mib * 2048)));
        demo.addLun(new LunDescriptor(1, "demo1", naa(2), true, new MemoryLogicalUnit(16 * 2048)));
        TargetNode chap = registry.add(new TargetNode("iqn.2026-11.io.tidemark:chap", "chap",
                new TargetNode.ChapCredentials("user", "secretsecret12", "target", "mutualsecret1"), Set.of()));
        chap.addLun(new LunDescriptor(0, "chap0", naa(3), true, new MemoryLogicalUnit(16 * 2048)));
        IscsiSettings settings = new IscsiSettings("127.0.0.1", port, 1, null);
        if (args.length > 2) {
            settings = settings.withWorkerThreads(Integer.parseInt(args[2]));
        }
        IscsiServer server = new IscsiServer(registry, settings);
        server.start();
        System.out.println("DemoPortal ready on " + server.localAddress());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
    }

    static byte[] naa(int n) {
        byte[] id = new byte[16];
        id[0] = 0x60;
        id[15] = (byte) n;
        return id;
    }
}
