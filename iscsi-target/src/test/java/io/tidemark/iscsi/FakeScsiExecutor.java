package io.tidemark.iscsi;

import io.tidemark.iscsi.scsi.ItNexus;
import io.tidemark.iscsi.scsi.ScsiCommand;
import io.tidemark.iscsi.scsi.ScsiExecutor;
import io.tidemark.iscsi.scsi.ScsiResponse;
import io.tidemark.iscsi.spi.LunDescriptor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A SCSI layer just big enough to test the iSCSI layer: TEST UNIT READY, INQUIRY,
 * READ(10)/WRITE(10) on an in-memory disk, and the ability to hold a command until the test
 * lets it go. Thread-safe.
 */
public final class FakeScsiExecutor implements ScsiExecutor {

    public static final int BLOCK = 512;
    private final byte[] disk;
    private final TargetNode node;
    /** nexusCreated:..., nexusLost:..., reset:FUNCTION:lun, in call order. */
    public final List<String> events = new CopyOnWriteArrayList<>();
    /** Futures handed out for held commands, in order. */
    public final LinkedBlockingQueue<CompletableFuture<ScsiResponse>> held = new LinkedBlockingQueue<>();
    private volatile boolean holdNext;

    public FakeScsiExecutor(TargetNode node, int blocks) {
        this.node = node;
        this.disk = new byte[blocks * BLOCK];
    }

    /** The next command's future completes only when the test completes it (see {@link #held}). */
    public void holdNextCommand() {
        holdNext = true;
    }

    @Override
    public CompletableFuture<ScsiResponse> execute(ScsiCommand c) {
        if (holdNext) {
            holdNext = false;
            CompletableFuture<ScsiResponse> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }
        return CompletableFuture.completedFuture(run(c));
    }

    private ScsiResponse run(ScsiCommand c) {
        if (c.lun() != 0 && c.lun() != 1) {
            return ScsiResponse.checkCondition(sense(0x05, 0x25));
        }
        ByteBuffer cdb = ByteBuffer.wrap(c.cdb());
        switch (c.opcode()) {
            case 0x00 -> {
                return ScsiResponse.good();
            }
            case 0x12 -> {
                byte[] inq = new byte[36];
                inq[2] = 6;
                inq[4] = 31;
                System.arraycopy("FAKE    ".getBytes(), 0, inq, 8, 8);
                int alloc = cdb.getShort(3) & 0xffff;
                return ScsiResponse.good(ByteBuffer.wrap(inq, 0, Math.min(alloc, 36)));
            }
            case 0x28, 0x2a -> {
                long lba = cdb.getInt(2) & 0xffffffffL;
                int bytes = (cdb.getShort(7) & 0xffff) * BLOCK;
                if (lba * BLOCK + bytes > disk.length) {
                    return ScsiResponse.checkCondition(sense(0x05, 0x21));
                }
                if (c.opcode() == 0x28) {
                    byte[] out = new byte[bytes];
                    synchronized (disk) {
                        System.arraycopy(disk, (int) lba * BLOCK, out, 0, bytes);
                    }
                    return new ScsiResponse(ScsiResponse.GOOD, new byte[0], ByteBuffer.wrap(out), bytes);
                }
                ByteBuffer in = c.dataOut().duplicate();
                int n = Math.min(in.remaining(), bytes);
                synchronized (disk) {
                    in.get(disk, (int) lba * BLOCK, n);
                }
                return new ScsiResponse(ScsiResponse.GOOD, new byte[0], ByteBuffer.allocate(0), bytes);
            }
            default -> {
                return ScsiResponse.checkCondition(sense(0x05, 0x20));
            }
        }
    }

    public static byte[] sense(int key, int asc) {
        byte[] s = new byte[18];
        s[0] = 0x70;
        s[2] = (byte) key;
        s[7] = 10;
        s[12] = (byte) asc;
        return s;
    }

    public byte[] read(long lba, int blocks) {
        byte[] out = new byte[blocks * BLOCK];
        synchronized (disk) {
            System.arraycopy(disk, (int) lba * BLOCK, out, 0, out.length);
        }
        return out;
    }

    @Override
    public void reset(ItNexus nexus, Reset function, int lun) {
        events.add("reset:" + function + ":" + lun);
    }

    @Override
    public void nexusCreated(ItNexus nexus) {
        events.add("nexusCreated:" + nexus.initiatorPortName());
    }

    @Override
    public void nexusLost(ItNexus nexus) {
        events.add("nexusLost:" + nexus.initiatorPortName());
    }

    @Override
    public Iterable<LunDescriptor> luns() {
        return node.luns();
    }
}
