package io.tidemark.replicator.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidemark.journal.JournalRecord;
import io.tidemark.journal.JournalRecordDescriptor;
import io.tidemark.journal.RecordType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordSealerTest {

    private final DataKey key = DataKey.generate();
    private final RecordSealer sealer = new RecordSealer(key, Compression.ZSTD);
    private final RecordOpener opener = new RecordOpener(key);

    static Stream<Arguments> typesAndSizes() {
        List<Arguments> cases = new ArrayList<>();
        for (int size : new int[] {0, 512, 4096, 65536, 1024 * 1024}) {
            for (boolean compressible : new boolean[] {false, true}) {
                cases.add(Arguments.of(RecordType.WRITE, 0, size, compressible));
                cases.add(Arguments.of(RecordType.COMPARE_AND_WRITE, 0, size, compressible));
                cases.add(Arguments.of(RecordType.SNAPSHOT, 0, size, compressible));
                cases.add(Arguments.of(RecordType.METADATA, 0, Math.min(size, 65536), compressible));
            }
        }
        cases.add(Arguments.of(RecordType.WRITE_SAME, 0, 512, false));
        cases.add(Arguments.of(RecordType.WRITE_SAME, 0, 4096, true));
        cases.add(Arguments.of(RecordType.UNMAP, 0, 0, false));
        cases.add(Arguments.of(RecordType.SNAPSHOT, JournalRecordDescriptor.FLAG_ZERO, 0, false));
        cases.add(Arguments.of(RecordType.COMPARE_AND_WRITE, JournalRecordDescriptor.FLAG_MISCOMPARE, 0, false));
        cases.add(Arguments.of(RecordType.WRITE, JournalRecordDescriptor.FLAG_FUA, 4096, false));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} flags {1}, {2} bytes, compressible {3}")
    @MethodSource("typesAndSizes")
    void shouldOpenWhatItSealedWithEveryHeaderFieldAndPayload(RecordType type, int flags, int size, boolean compressible)
            throws Exception {
        ByteBuffer payload = compressible ? Records.compressible(size) : Records.random(size, size);
        JournalRecord r = Records.journal(type, flags, 4, 1234, 77, Math.max(1, size / 512), payload);

        SealedRecord sealed = sealer.seal(r);
        OpenedRecord opened = opener.open(SealedRecord.wrap(sealed.bytes()));

        assertThat(sealed.length()).isEqualTo(sealed.bytes().remaining());
        assertThat(sealed.plainLength()).isEqualTo(size);
        assertThat(opened.type()).isEqualTo(type);
        assertThat(opened.flags()).isEqualTo(flags);
        assertThat(opened.groupId()).isEqualTo(9);
        assertThat(opened.volumeId()).isEqualTo(3);
        assertThat(opened.epoch()).isEqualTo(4);
        assertThat(opened.sequence()).isEqualTo(1234);
        assertThat(opened.timestampMicros()).isEqualTo(r.timestampMicros());
        assertThat(opened.lba()).isEqualTo(77);
        assertThat(opened.blockCount()).isEqualTo(r.blockCount());
        assertThat(opened.payload()).isEqualTo(payload);
        assertThat(sealed.type()).isEqualTo(type);
        assertThat(sealed.sequence()).isEqualTo(1234);
    }

    @Test
    void shouldDetectEveryFlippedBitInHeaderCiphertextAndTag() throws Exception {
        for (ByteBuffer payload : List.of(Records.random(512, 1), Records.compressible(2048), ByteBuffer.allocate(0))) {
            SealedRecord sealed = sealer.seal(Records.journal(RecordType.WRITE, 0, 2, 99, 8, 1, payload));
            byte[] bytes = new byte[sealed.length()];
            sealed.bytes().get(bytes);
            for (int bit = 0; bit < bytes.length * 8; bit++) {
                byte[] flipped = bytes.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                int at = bit;
                assertThatThrownBy(() -> opener.open(ByteBuffer.wrap(flipped)))
                        .as("bit %d of %d", at, bytes.length * 8)
                        .isInstanceOf(TamperedRecordException.class);
            }
        }
    }

    @Test
    void shouldRefuseARecordSealedWithAnotherKey() {
        SealedRecord sealed = new RecordSealer(DataKey.generate(), Compression.NONE)
                .seal(Records.journal(RecordType.WRITE, 0, 1, 1, 0, 1, Records.random(512, 3)));

        assertThatThrownBy(() -> opener.open(sealed)).isInstanceOf(TamperedRecordException.class)
                .hasMessageContaining("seq 1");
    }

    @Test
    void shouldUseADifferentNoncePerEpochAndSequence() {
        Set<String> nonces = new HashSet<>();
        Set<String> ciphertexts = new HashSet<>();
        ByteBuffer payload = Records.random(512, 5);
        for (long epoch : new long[] {1, 2, 1L << 32 | 1}) {
            for (long seq : new long[] {1, 2, 1L << 32 | 1}) {
                nonces.add(java.util.HexFormat.of().formatHex(SealedRecordDescriptor.nonce(epoch, seq)));
                SealedRecord s = new RecordSealer(key, Compression.NONE)
                        .seal(Records.journal(RecordType.WRITE, 0, epoch, seq, 0, 1, payload));
                ByteBuffer c = s.bytes().position(SealedRecordDescriptor.HEADER_LENGTH)
                        .limit(s.length() - SealedRecordDescriptor.TAG_LENGTH);
                byte[] cipher = new byte[c.remaining()];
                c.get(cipher);
                ciphertexts.add(java.util.HexFormat.of().formatHex(cipher));
            }
        }
        // epochs equal in their low 32 bits share a nonce (it holds 32 bits of epoch); the tag still differs
        assertThat(nonces).hasSize(6);
        assertThat(ciphertexts.size()).isEqualTo(6);
    }

    @Test
    void shouldSealTheSameRecordTwiceInARowToTheSameBytes() {
        JournalRecord r = Records.journal(RecordType.WRITE, 0, 1, 42, 0, 8, Records.random(4096, 8));

        ByteBuffer first = sealer.seal(r).bytes();
        ByteBuffer second = sealer.seal(r).bytes();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldCompressOnlyWhenItSavesAnEighth() {
        SealedRecord text = sealer.seal(Records.journal(RecordType.WRITE, 0, 1, 1, 0, 128, Records.compressible(65536)));
        SealedRecord noise = sealer.seal(Records.journal(RecordType.WRITE, 0, 1, 2, 0, 128, Records.random(65536, 2)));
        SealedRecord tiny = sealer.seal(Records.journal(RecordType.METADATA, 0, 1, 3, 0, 0, Records.compressible(100)));
        SealedRecord off = new RecordSealer(key, Compression.NONE)
                .seal(Records.journal(RecordType.WRITE, 0, 1, 4, 0, 128, Records.compressible(65536)));

        assertThat(text.compression()).isEqualTo(Compression.ZSTD);
        assertThat(text.sealedLength()).isLessThan(65536 / 4);
        assertThat(noise.compression()).isEqualTo(Compression.NONE);
        assertThat(noise.sealedLength()).isEqualTo(65536 + SealedRecordDescriptor.TAG_LENGTH);
        assertThat(tiny.compression()).isEqualTo(Compression.NONE);
        assertThat(off.compression()).isEqualTo(Compression.NONE);
    }

    @Test
    void shouldOpenRecordsSealedWithOtherCompressionSettingsUnderOtherKeys() throws Exception {
        JournalRecord r = Records.journal(RecordType.WRITE, 0, 1, 7, 0, 128, Records.compressible(65536));
        SealedRecord fast = new RecordSealer(key, Compression.zstd(1)).seal(r);
        SealedRecord strong = new RecordSealer(key, Compression.zstd(9)).seal(r);
        SealedRecord plain = new RecordSealer(key, Compression.NONE).seal(r);

        for (SealedRecord s : List.of(fast, strong, plain)) {
            assertThat(opener.open(s).payload()).isEqualTo(r.payload());
        }
        // same nonce, different plaintext bytes: the keys must differ, so the keystreams do
        ByteBuffer a = plain.bytes().position(SealedRecordDescriptor.HEADER_LENGTH).limit(64 + 64);
        ByteBuffer b = fast.bytes().position(SealedRecordDescriptor.HEADER_LENGTH).limit(64 + 64);
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void shouldRefuseAStructurallyBadRecordWithTheFieldAndLimit() {
        SealedRecord sealed = sealer.seal(Records.journal(RecordType.WRITE, 0, 1, 1, 0, 1, Records.random(512, 1)));
        ByteBuffer truncated = sealed.bytes().limit(sealed.length() - 1);

        assertThatThrownBy(() -> SealedRecord.wrap(truncated)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sealed length: 528").hasMessageContaining("expected: <= 527");
        assertThatThrownBy(() -> SealedRecord.wrap(ByteBuffer.allocate(10))).hasMessageContaining("expected: >= 64");
    }

    @Test
    void shouldNeverPrintTheKey() {
        byte[] raw = new byte[32];
        raw[0] = 0x5a;
        DataKey k = DataKey.of(raw);

        assertThat(k.toString()).doesNotContain("5a").doesNotContain("90").isEqualTo("DataKey[256 bits]");
        assertThat(k.bytes()).isEqualTo(raw).isNotSameAs(k.bytes());
        assertThatThrownBy(() -> DataKey.of(new byte[16])).hasMessageContaining("16 bytes (expected: 32)");
    }

    @Test
    void shouldSealIntoADestinationBufferBackToBack() throws Exception {
        JournalRecord a = Records.journal(RecordType.WRITE, 0, 1, 10, 0, 8, Records.compressible(4096));
        SealedRecord aAlone = sealer.seal(a);
        JournalRecord b = Records.journal(RecordType.WRITE, 0, 1, 11, 8, 8, Records.random(4096, 4));
        byte[] backing = new byte[100 + RecordSealer.maxRecordLength(4096) * 2];
        ByteBuffer dst = ByteBuffer.wrap(backing, 100, backing.length - 100).slice();
        dst.position(7);

        SealedRecord first = sealer.seal(a, dst);
        SealedRecord second = sealer.seal(b, dst);

        assertThat(dst.position()).isEqualTo(7 + first.length() + second.length());
        assertThat(first.bytes()).isEqualTo(aAlone.bytes());
        ByteBuffer both = ByteBuffer.wrap(backing, 107, first.length() + second.length()).slice();
        assertThat(opener.open(both).sequence()).isEqualTo(10);
        assertThat(opener.open(both.position(first.length())).payload()).isEqualTo(b.payload());
        assertThatThrownBy(() -> sealer.seal(a, ByteBuffer.allocate(100))).hasMessageContaining("expected: an array");
    }

    @Test
    void shouldProbeOnlyNowAndThenAfterARunOfIncompressiblePayloadsYetCompressAgainSoon() throws Exception {
        for (int i = 0; i < RecordSealer.MISSES_BEFORE_PROBING; i++) {
            sealer.seal(Records.journal(RecordType.WRITE, 0, 1, i + 1, 0, 8, Records.random(4096, i)));
        }
        int plain = 0;
        int firstCompressed = -1;
        for (int i = 0; i < RecordSealer.PROBE_EVERY; i++) {
            SealedRecord s = sealer.seal(Records.journal(RecordType.WRITE, 0, 1, 100 + i, 0, 8,
                    Records.compressible(4096)));
            if (s.compression() == Compression.NONE) {
                plain++;
            } else if (firstCompressed < 0) {
                firstCompressed = i;
            }
            assertThat(opener.open(s).payload()).isEqualTo(Records.compressible(4096));
        }
        assertThat(firstCompressed).isBetween(0, RecordSealer.PROBE_EVERY - 1);
        assertThat(plain).isEqualTo(firstCompressed);
    }
}
