package io.tidemark.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.spi.LogicalUnit;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.iscsi.spi.MemoryLogicalUnit;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A target with one thin 512-byte-block LUN in memory, and helpers to send CDBs to it. Not
 * thread-safe, except run() and readBlocks(), which only send commands.
 */
final class ScsiFixture {

    static final long BLOCKS = 4096;
    static final String IQN = "iqn.2026-11.io.tidemark:test";

    final TargetRegistry registry = new TargetRegistry();
    final TargetNode node;
    final MemoryLogicalUnit unit;
    final LunDescriptor lun0;
    final ScsiTargetDevice device;
    final ItNexus nexus = nexus("iqn.1994-05.com.redhat:alpha", 1);
    final ItNexus other = nexus("iqn.1994-05.com.redhat:beta", 2);

    ScsiFixture() {
        this(true);
    }

    ScsiFixture(boolean thin) {
        this(thin, UnaryOperator.identity());
    }

    /** LUN 0 serves {@code wrap} applied to the in-memory unit (which {@link #unit} still names). */
    ScsiFixture(boolean thin, UnaryOperator<LogicalUnit> wrap) {
        node = registry.add(new TargetNode(IQN, "test", null, Set.of()));
        unit = new MemoryLogicalUnit(BLOCKS);
        lun0 = new LunDescriptor(0, "vol0", naa(1), thin, wrap.apply(unit));
        node.addLun(lun0);
        device = new ScsiTargetDevice(node, registry);
        device.nexusCreated(nexus);
        device.nexusCreated(other);
    }

    static ItNexus nexus(String initiator, int isidLow) {
        return new ItNexus(initiator, new byte[] {0x40, 0, 0, 0, 0, (byte) isidLow}, IQN, 1);
    }

    static byte[] naa(int n) {
        byte[] id = new byte[16];
        id[0] = 0x60;
        id[15] = (byte) n;
        return id;
    }

    ScsiResponse run(byte[] cdb) {
        return run(nexus, 0, cdb, 65536, new byte[0]);
    }

    ScsiResponse run(byte[] cdb, byte[] dataOut) {
        return run(nexus, 0, cdb, dataOut.length, dataOut);
    }

    ScsiResponse run(ItNexus from, int lun, byte[] cdb, int edtl, byte[] dataOut) {
        ScsiCommand command = new ScsiCommand(from, 1, lun, cdb, TaskAttribute.SIMPLE, edtl, ByteBuffer.wrap(dataOut));
        try {
            return device.execute(command).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("command did not complete", e);
        }
    }

    static byte[] data(ScsiResponse r) {
        ByteBuffer b = r.dataIn().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static void assertGood(ScsiResponse r) {
        assertThat(r.status()).as("status, sense %s", senseText(r)).isEqualTo(ScsiResponse.GOOD);
    }

    static void assertSense(ScsiResponse r, SenseCode code) {
        assertThat(r.status()).as("status").isEqualTo(ScsiResponse.CHECK_CONDITION);
        assertThat(senseText(r)).isEqualTo(text(code.key(), code.asc(), code.ascq()));
    }

    static String senseText(ScsiResponse r) {
        return r.sense().length < 14 ? "none" : text(SenseData.key(r.sense()), SenseData.asc(r.sense()),
                SenseData.ascq(r.sense()));
    }

    private static String text(int key, int asc, int ascq) {
        return String.format("%x/%02x/%02x", key, asc, ascq);
    }

    static byte[] cdb(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    static byte[] read16(long lba, int blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x88;
        Cdb.putLong(c, 2, lba);
        Cdb.putInt(c, 10, blocks);
        return c;
    }

    static byte[] write16(long lba, int blocks) {
        byte[] c = read16(lba, blocks);
        c[0] = (byte) 0x8A;
        return c;
    }

    static byte[] read10(long lba, int blocks) {
        byte[] c = new byte[10];
        c[0] = 0x28;
        Cdb.putInt(c, 2, (int) lba);
        Cdb.putShort(c, 7, blocks);
        return c;
    }

    static byte[] write10(long lba, int blocks) {
        byte[] c = read10(lba, blocks);
        c[0] = 0x2A;
        return c;
    }

    static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    byte[] readBlocks(long lba, int blocks) {
        ScsiResponse r = run(read16(lba, blocks));
        assertGood(r);
        return data(r);
    }

    void writeBlocks(long lba, byte[] data) {
        assertGood(run(write16(lba, data.length / 512), data));
    }

    /** Clears every pending unit attention of {@code n} on LUN 0 with TEST UNIT READY. */
    void clearUnitAttentions(ItNexus n) {
        for (int i = 0; i < 20; i++) {
            if (run(n, 0, cdb(0, 0, 0, 0, 0, 0), 0, new byte[0]).status() == ScsiResponse.GOOD) {
                return;
            }
        }
    }
}
