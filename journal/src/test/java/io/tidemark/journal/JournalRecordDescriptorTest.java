package io.tidemark.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JournalRecordDescriptorTest {

    private static ByteBuffer encode(RecordType type, int flags, byte[] payload) {
        ByteBuffer record = ByteBuffer.allocate(JournalRecordDescriptor.recordLength(payload.length));
        JournalRecordDescriptor.encodeHeader(record, 0, type, flags, payload.length, 42, 7, 3, 1234567890123L,
                1_700_000_000_000_000L, 99, payload.length / 512 == 0 ? 8 : payload.length / 512);
        record.put(JournalRecordDescriptor.HEADER_LENGTH, payload);
        ByteBuffer body = ByteBuffer.wrap(payload);
        JournalRecordDescriptor.putCrc(record, 0, JournalRecordDescriptor.crc(new CRC32C(), record, 0, body));
        return record;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 512, 4096, 65536})
    void encodedRecordDecodesToEveryField(int payloadLength) {
        byte[] payload = new byte[payloadLength];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 13);
        }
        ByteBuffer buffer = encode(payloadLength == 0 ? RecordType.UNMAP : RecordType.WRITE, 0, payload);

        JournalRecord r = new JournalRecord().wrap(buffer, 0, buffer.capacity());

        assertThat(r.type()).isEqualTo(payloadLength == 0 ? RecordType.UNMAP : RecordType.WRITE);
        assertThat(r.groupId()).isEqualTo(42);
        assertThat(r.volumeId()).isEqualTo(7);
        assertThat(r.epoch()).isEqualTo(3);
        assertThat(r.sequence()).isEqualTo(1234567890123L);
        assertThat(r.timestampMicros()).isEqualTo(1_700_000_000_000_000L);
        assertThat(r.lba()).isEqualTo(99);
        assertThat(r.payloadLength()).isEqualTo(payloadLength);
        assertThat(r.payload()).isEqualTo(ByteBuffer.wrap(payload));
        r.checkPayloadFor(512);
    }

    @Test
    void recordAtAnOffsetInsideALargerBufferDecodes() {
        ByteBuffer one = encode(RecordType.WRITE, JournalRecordDescriptor.FLAG_FUA, new byte[512]);
        ByteBuffer big = ByteBuffer.allocate(100 + one.capacity()).put(100, one, 0, one.capacity());

        JournalRecord r = new JournalRecord().wrap(big, 100, one.capacity());

        assertThat(r.flags()).isEqualTo(JournalRecordDescriptor.FLAG_FUA);
        assertThat(r.payload().remaining()).isEqualTo(512);
    }

    @ParameterizedTest(name = "byte {0} flipped -> {1}")
    @CsvSource({
        "0, magic", "1, format version", "2, record type", "3, flags", "4, payload length",
        "8, CRC32C", "16, CRC32C", "24, CRC32C", "40, CRC32C", "56, CRC32C", "60, CRC32C", "64, CRC32C", "575, CRC32C"})
    void anyAlteredByteIsRejectedNamingTheField(int offset, String field) {
        ByteBuffer buffer = encode(RecordType.WRITE, 0, new byte[512]);
        buffer.put(offset, (byte) (buffer.get(offset) ^ 0x41));

        assertThatThrownBy(() -> new JournalRecord().wrap(buffer, 0, buffer.capacity()))
                .isInstanceOf(InvalidRecordException.class).hasMessageStartingWith(field);
    }

    @Test
    void payloadThatDoesNotMatchTheTypeIsRejectedWithBothLengths() {
        ByteBuffer buffer = encode(RecordType.WRITE_SAME, 0, new byte[1024]);

        assertThatThrownBy(() -> new JournalRecord().wrap(buffer, 0, buffer.capacity()).checkPayloadFor(512))
                .hasMessageContaining("1024").hasMessageContaining("expected: 512");
    }

    @Test
    void miscompareCarriesNoPayload() {
        ByteBuffer buffer = encode(RecordType.COMPARE_AND_WRITE, JournalRecordDescriptor.FLAG_MISCOMPARE, new byte[0]);

        JournalRecord r = new JournalRecord().wrap(buffer, 0, buffer.capacity()).checkPayloadFor(512);

        assertThat(r.miscompare()).isTrue();
    }

    @Test
    void truncatedRecordIsRejectedNamingItsLength() {
        ByteBuffer buffer = encode(RecordType.WRITE, 0, new byte[512]);

        assertThatThrownBy(() -> new JournalRecord().wrap(buffer, 0, 40)).hasMessageContaining("record length: 40");
        assertThatThrownBy(() -> new JournalRecord().wrap(buffer, 0, 300)).hasMessageContaining("payload length: 512");
    }

    @Test
    void oversizedPayloadIsRefusedAtEncoding() {
        assertThatThrownBy(() -> JournalRecordDescriptor.encodeHeader(ByteBuffer.allocate(64), 0, RecordType.WRITE, 0,
                JournalRecordDescriptor.MAX_PAYLOAD_LENGTH + 1, 1, 1, 1, 1, 1, 1, 1))
                .hasMessageContaining(String.valueOf(JournalRecordDescriptor.MAX_PAYLOAD_LENGTH + 1))
                .hasMessageContaining("0.." + JournalRecordDescriptor.MAX_PAYLOAD_LENGTH);
    }
}
