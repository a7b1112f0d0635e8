package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.BLOCKS;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.cdb;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static io.tidemark.iscsi.scsi.ScsiFixture.filled;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.spi.LunDescriptor;
import io.tidemark.iscsi.spi.MemoryLogicalUnit;
import java.io.ByteArrayOutputStream;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExtendedCopyTest {

    private final ScsiFixture f = new ScsiFixture();

    static byte[] cscd(byte[] naa) {
        byte[] d = new byte[32];
        d[0] = (byte) 0xE4;
        d[4] = 0x01;
        d[5] = 0x03;
        d[7] = 16;
        System.arraycopy(naa, 0, d, 8, 16);
        Cdb.putInt(d, 28, 512);
        return d;
    }

    static byte[] segment(int source, int destination, int blocks, long sourceLba, long destinationLba) {
        byte[] d = new byte[28];
        d[0] = 0x02;
        Cdb.putShort(d, 2, 0x18);
        Cdb.putShort(d, 4, source);
        Cdb.putShort(d, 6, destination);
        Cdb.putShort(d, 10, blocks);
        Cdb.putLong(d, 12, sourceLba);
        Cdb.putLong(d, 20, destinationLba);
        return d;
    }

    static byte[] parameters(int listId, int usage, byte[][] cscds, byte[][] segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[16];
        header[0] = (byte) listId;
        header[1] = (byte) (usage << 3);
        int cscdLength = 0;
        int segmentLength = 0;
        for (byte[] c : cscds) {
            cscdLength += c.length;
        }
        for (byte[] s : segments) {
            segmentLength += s.length;
        }
        Cdb.putShort(header, 2, cscdLength);
        Cdb.putInt(header, 8, segmentLength);
        out.writeBytes(header);
        for (byte[] c : cscds) {
            out.writeBytes(c);
        }
        for (byte[] s : segments) {
            out.writeBytes(s);
        }
        return out.toByteArray();
    }

    private ScsiResponse xcopy(byte[] p) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x83;
        Cdb.putInt(c, 10, p.length);
        return f.run(c, p);
    }

    private ScsiResponse receive(int action, int listId) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x84;
        c[1] = (byte) action;
        c[2] = (byte) listId;
        Cdb.putInt(c, 10, 1024);
        return f.run(c);
    }

    @Test
    void shouldCopyBlocksWithinTheLunAndRecordTheStatus() {
        f.writeBlocks(0, filled(64 * 512, 'A'));
        byte[] naa = ScsiFixture.naa(1);
        assertGood(xcopy(parameters(7, 0, new byte[][] {cscd(naa)}, new byte[][] {segment(0, 0, 64, 0, 1000)})));
        assertThat(f.readBlocks(1000, 64)).containsOnly('A');
        byte[] status = data(receive(0, 7));
        assertThat(status[4] & 0x7f).as("completed").isEqualTo(1);
        assertThat(Cdb.u16(status, 5)).isEqualTo(1);
        assertThat(Cdb.u32(status, 8)).isEqualTo(64 * 512);
    }

    @Test
    void shouldCopyBetweenLunsOfDifferentTargetsFoundByNaa() {
        MemoryLogicalUnit second = new MemoryLogicalUnit(1024);
        TargetNode other = f.registry.add(new TargetNode("iqn.2026-11.io.tidemark:other", "o", null, Set.of()));
        other.addLun(new LunDescriptor(0, "vol9", ScsiFixture.naa(9), true, second));
        f.writeBlocks(10, filled(8 * 512, 'Q'));
        byte[] p = parameters(1, 3, new byte[][] {cscd(ScsiFixture.naa(1)), cscd(ScsiFixture.naa(9))},
                new byte[][] {segment(0, 1, 8, 10, 500)});
        assertGood(xcopy(p));
        byte[] copied = new byte[8 * 512];
        second.read(500, java.nio.ByteBuffer.wrap(copied)).join();
        assertThat(copied).containsOnly('Q');
        assertSense(receive(0, 1), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldAbortTheCopyForAnUnknownDeviceAnIndexOutOfRangeOrARangeBeyondTheEnd() {
        assertSense(xcopy(parameters(1, 0, new byte[][] {cscd(ScsiFixture.naa(42))},
                new byte[][] {segment(0, 0, 1, 0, 1)})), SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE);
        assertSense(xcopy(parameters(1, 0, new byte[][] {cscd(ScsiFixture.naa(1))},
                new byte[][] {segment(0, 1, 1, 0, 1)})), SenseCode.COPY_TARGET_DEVICE_NOT_REACHABLE);
        assertSense(xcopy(parameters(2, 0, new byte[][] {cscd(ScsiFixture.naa(1))},
                new byte[][] {segment(0, 0, 8, 0, BLOCKS - 1)})), SenseCode.COPY_ABORTED);
        byte[] failed = data(receive(4, 2));
        assertThat(failed[60]).isEqualTo((byte) ScsiResponse.CHECK_CONDITION);
    }

    @Test
    void shouldCheckListLengthsAndDescriptorCountsAndTypes() {
        byte[] ok = parameters(1, 0, new byte[][] {cscd(ScsiFixture.naa(1))}, new byte[][] {segment(0, 0, 1, 0, 1)});
        byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 1);
        assertSense(xcopy(truncated), SenseCode.PARAMETER_LIST_LENGTH_ERROR);
        byte[][] three = {cscd(ScsiFixture.naa(1)), cscd(ScsiFixture.naa(1)), cscd(ScsiFixture.naa(1))};
        assertSense(xcopy(parameters(1, 0, three, new byte[][] {segment(0, 0, 1, 0, 1)})),
                SenseCode.TOO_MANY_TARGET_DESCRIPTORS);
        byte[][] segments = new byte[CopyCommands.MAX_SEGMENT_DESCRIPTORS + 1][];
        java.util.Arrays.fill(segments, segment(0, 0, 1, 0, 1));
        assertSense(xcopy(parameters(1, 0, new byte[][] {cscd(ScsiFixture.naa(1))}, segments)),
                SenseCode.TOO_MANY_SEGMENT_DESCRIPTORS);
        byte[] wrongCscd = cscd(ScsiFixture.naa(1));
        wrongCscd[0] = (byte) 0xE0;
        assertSense(xcopy(parameters(1, 0, new byte[][] {wrongCscd}, new byte[][] {segment(0, 0, 1, 0, 1)})),
                SenseCode.UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE);
        byte[] stream = segment(0, 0, 1, 0, 1);
        stream[0] = 0x06;
        assertSense(xcopy(parameters(1, 0, new byte[][] {cscd(ScsiFixture.naa(1))}, new byte[][] {stream})),
                SenseCode.UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE);
        assertGood(f.run(cdb(0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    }

    @Test
    void shouldReportOperatingParameters() {
        byte[] d = data(receive(3, 0));
        assertThat(Cdb.u16(d, 8)).isEqualTo(CopyCommands.MAX_CSCD_DESCRIPTORS);
        assertThat(Cdb.u16(d, 10)).isEqualTo(CopyCommands.MAX_SEGMENT_DESCRIPTORS);
        assertThat(Cdb.u32(d, 12)).isEqualTo(CopyCommands.MAX_DESCRIPTOR_LIST_LENGTH);
        assertThat(d[43]).isEqualTo((byte) 2);
        assertThat(d).endsWith(0x02, (byte) 0xE4);
    }
}
