package io.tidemark.iscsi.scsi;

import static io.tidemark.iscsi.scsi.ScsiFixture.BLOCKS;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertGood;
import static io.tidemark.iscsi.scsi.ScsiFixture.assertSense;
import static io.tidemark.iscsi.scsi.ScsiFixture.data;
import static io.tidemark.iscsi.scsi.ScsiFixture.filled;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.spi.LogicalUnit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WriteAtomicTest {

    private static final int BS = 512;
    private static final int GRANULE = InquiryData.ATOMIC_GRANULARITY_BLOCKS;

    private final ScsiFixture f = new ScsiFixture();

    static byte[] writeAtomic16(long lba, int blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9C;
        Cdb.putLong(c, 2, lba);
        Cdb.putShort(c, 12, blocks);
        return c;
    }

    private static byte[] blockLimits(ScsiFixture f) {
        return data(f.run(ScsiFixture.cdb(0x12, 1, 0xB0, 0, 255, 0)));
    }

    @Test
    void shouldAdvertiseAtomicLimitsInTheBlockLimitsPage() {
        byte[] bl = blockLimits(f);
        long maxAtomic = Cdb.u32(bl, 44);
        assertThat(maxAtomic).as("MAXIMUM ATOMIC TRANSFER LENGTH").isEqualTo(InquiryData.MAX_ATOMIC_TRANSFER_BLOCKS)
                .isGreaterThanOrEqualTo(256).isLessThanOrEqualTo(Cdb.u32(bl, 8));
        assertThat(Cdb.u32(bl, 48)).as("ATOMIC ALIGNMENT").isEqualTo(8);
        assertThat(Cdb.u32(bl, 52)).as("ATOMIC TRANSFER LENGTH GRANULARITY").isEqualTo(8);
        assertThat(maxAtomic % 8).as("maximum is a whole number of granules").isZero();
        assertThat(Cdb.u32(bl, 56)).as("MAX ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY").isZero();
        assertThat(Cdb.u32(bl, 60)).as("MAXIMUM ATOMIC BOUNDARY SIZE").isZero();
        assertThat(Cdb.u32(blockLimits(new ScsiFixture(false)), 44)).as("fully provisioned too").isEqualTo(maxAtomic);
    }

    @ParameterizedTest
    @CsvSource({"0, 8", "0, 256", "8, 16", "4088, 8", "2048, 2048", "0, 2048"})
    void shouldWriteEveryBlock(long lba, int blocks) {
        byte[] payload = filled(blocks * BS, 0xA6);
        assertGood(f.run(writeAtomic16(lba, blocks), payload));
        assertThat(Arrays.mismatch(readAll(f, lba, blocks), payload)).as("first byte not written").isEqualTo(-1);
    }

    /** READ(16) with an EDTL of the whole range (the fixture's default stops at 64 KiB). */
    private static byte[] readAll(ScsiFixture g, long lba, int blocks) {
        ScsiResponse r = g.run(g.nexus, 0, ScsiFixture.read16(lba, blocks), blocks * BS, new byte[0]);
        assertGood(r);
        return data(r);
    }

    @Test
    void shouldAcceptZeroBlocksAndWriteNothing() {
        int before = f.unit.writeCount();
        assertGood(f.run(writeAtomic16(0, 0), new byte[0]));
        assertGood(f.run(writeAtomic16(BLOCKS, 0), new byte[0]));
        assertThat(f.unit.writeCount()).isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource({"4104, 0", "4088, 16", "4096, 8", "-9223372036854775808, 8", "-8, 8", "-8, 0"})
    void shouldAnswerLbaOutOfRangeBeyondTheEnd(long lba, int blocks) {
        assertSense(f.run(writeAtomic16(lba, blocks), new byte[blocks * BS]), SenseCode.LBA_OUT_OF_RANGE);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4, 7, 9, 4081})
    void shouldRejectAnLbaOffTheAtomicAlignment(long lba) {
        ScsiResponse r = f.run(writeAtomic16(lba, GRANULE), filled(GRANULE * BS, 1));
        assertSense(r, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(Cdb.u16(r.sense(), 16)).as("field pointer: LBA").isEqualTo(2);
        assertThat(f.unit.writeCount()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 9, 255})
    void shouldRejectALengthThatIsNotAWholeNumberOfGranules(int blocks) {
        ScsiResponse r = f.run(writeAtomic16(0, blocks), filled(blocks * BS, 1));
        assertSense(r, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(Cdb.u16(r.sense(), 16)).as("field pointer: TRANSFER LENGTH").isEqualTo(12);
        assertThat(f.unit.writeCount()).isZero();
    }

    @Test
    void shouldRejectMoreThanTheMaximumAtomicTransferLength() {
        int blocks = InquiryData.MAX_ATOMIC_TRANSFER_BLOCKS + GRANULE;
        ScsiResponse r = f.run(writeAtomic16(0, blocks), new byte[blocks * BS]);
        assertSense(r, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(Cdb.u16(r.sense(), 16)).isEqualTo(12);
    }

    @Test
    void shouldRejectAnAtomicBoundaryAsBoundariesAreNotSupported() {
        byte[] c = writeAtomic16(0, 16);
        Cdb.putShort(c, 10, 8);
        ScsiResponse r = f.run(c, new byte[16 * BS]);
        assertSense(r, SenseCode.INVALID_FIELD_IN_CDB);
        assertThat(Cdb.u16(r.sense(), 16)).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void shouldRejectWriteProtectInformation(int wrprotect) {
        byte[] c = writeAtomic16(0, GRANULE);
        c[1] = (byte) (wrprotect << 5);
        assertSense(f.run(c, new byte[GRANULE * BS]), SenseCode.INVALID_FIELD_IN_CDB);
    }

    @Test
    void shouldWriteNothingWhenTheDataOutIsShort() {
        ScsiResponse r = f.run(writeAtomic16(0, 16), filled(8 * BS, 1));
        assertSense(r, SenseCode.INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
        assertThat(f.readBlocks(0, 16)).containsOnly(0);
    }

    @ParameterizedTest
    @CsvSource({"0x00, 0", "0x10, 0", "0x08, 1", "0x18, 1"})
    void shouldFlushOnlyWithFua(int dpoFua, int flushes) {
        byte[] c = writeAtomic16(0, GRANULE);
        c[1] = (byte) dpoFua;
        assertGood(f.run(c, filled(GRANULE * BS, 3)));
        assertThat(f.unit.flushCount()).isEqualTo(flushes);
    }

    @Test
    void shouldReportTheCommandWithDpoAndFuaInItsUsageData() {
        byte[] c = new byte[12];
        c[0] = (byte) 0xA3;
        c[1] = 0x0C;
        c[2] = 0x01;
        c[3] = (byte) 0x9C;
        Cdb.putInt(c, 6, 65535);
        byte[] d = data(f.run(c));
        assertThat(d[1] & 0x07).as("SUPPORT: supported as standard").isEqualTo(3);
        assertThat(Cdb.u16(d, 2)).as("CDB SIZE").isEqualTo(16);
        assertThat(d[4] & 0xff).isEqualTo(0x9C);
        assertThat(d[5] & 0x18).as("DPO|FUA usage bits").isEqualTo(0x18);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, AtomicWriteCommands.MAX_REPLACE_ATTEMPTS - 1})
    void shouldRetryWhileAnotherWriteGetsInBetweenReadAndCompareAndWrite(int interferences) {
        Interfering unit = new Interfering(interferences);
        ScsiFixture g = new ScsiFixture(true, u -> unit.around(u));
        byte[] payload = filled(16 * BS, 0x5A);
        assertGood(g.run(writeAtomic16(32, 16), payload));
        assertThat(g.readBlocks(32, 16)).isEqualTo(payload);
        assertThat(unit.interfered.get()).isEqualTo(interferences);
    }

    @Test
    void shouldGiveUpWithARetryableAbortWhenTheRangeNeverStopsChanging() {
        Interfering unit = new Interfering(Integer.MAX_VALUE);
        ScsiFixture g = new ScsiFixture(true, u -> unit.around(u));
        ScsiResponse r = g.run(writeAtomic16(32, 16), filled(16 * BS, 0x5A));
        assertSense(r, SenseCode.ABORTED_COMMAND);
        assertThat(unit.interfered.get()).isEqualTo(AtomicWriteCommands.MAX_REPLACE_ATTEMPTS);
        assertThat(g.readBlocks(32, 16)).as("only the other writer's data").doesNotContain(0x5A);
    }

    /**
     * Writers of uniform patterns over one range, on a unit whose plain writes tear (one block at
     * a time): readers must only ever see one writer's pattern across the whole range.
     */
    @Test
    void shouldNeverShowAMixOfTwoAtomicWrites() throws Exception {
        ScsiFixture g = new ScsiFixture(true, Tearing::new);
        int blocks = 64;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<CompletableFuture<Void>> work = new ArrayList<>();
            for (int w = 1; w <= 2; w++) {
                int pattern = w;
                work.add(CompletableFuture.runAsync(() -> {
                    await(start);
                    for (int i = 0; i < 100; i++) {
                        assertGood(g.run(writeAtomic16(64, blocks), filled(blocks * BS, pattern * 16 + i % 8)));
                    }
                }, pool));
            }
            List<String> mixed = new ArrayList<>();
            for (int rdr = 0; rdr < 2; rdr++) {
                work.add(CompletableFuture.runAsync(() -> {
                    await(start);
                    for (int i = 0; i < 300; i++) {
                        byte[] seen = g.readBlocks(64, blocks);
                        for (byte b : seen) {
                            if (b != seen[0]) {
                                synchronized (mixed) {
                                    mixed.add("read " + i + ": " + (seen[0] & 0xff) + " and " + (b & 0xff));
                                }
                                break;
                            }
                        }
                    }
                }, pool));
            }
            start.countDown();
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(mixed).isEmpty();
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A plain WRITE over the same unit does tear, so the test above can see a mix. */
    @Test
    void shouldShowAPlainWriteHalfDoneOnTheTearingUnit() throws Exception {
        Tearing[] tearing = new Tearing[1];
        ScsiFixture g = new ScsiFixture(true, u -> tearing[0] = new Tearing(u));
        tearing[0].pauseAfterFirstBlock = new CountDownLatch(1);
        tearing[0].resume = new CountDownLatch(1);
        CompletableFuture<ScsiResponse> write = CompletableFuture.supplyAsync(
                () -> g.run(ScsiFixture.write16(0, 2), filled(2 * BS, 9)));
        try {
            assertThat(tearing[0].pauseAfterFirstBlock.await(10, TimeUnit.SECONDS)).isTrue();
            byte[] seen = g.readBlocks(0, 2);
            assertThat(seen[0]).isEqualTo((byte) 9);
            assertThat(seen[BS]).isEqualTo((byte) 0);
        } finally {
            tearing[0].resume.countDown();
            assertGood(write.get(10, TimeUnit.SECONDS));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("start gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Overwrites the range just after each of the first N reads, as a racing initiator would. */
    private static final class Interfering {
        final int times;
        final AtomicInteger interfered = new AtomicInteger();

        Interfering(int times) {
            this.times = times;
        }

        LogicalUnit around(LogicalUnit u) {
            return new ForwardingLogicalUnit(u) {
                @Override
                public CompletableFuture<Void> read(long lba, ByteBuffer dst) {
                    ByteBuffer seen = dst.duplicate();
                    return delegate.read(lba, dst).thenCompose(v -> {
                        if (interfered.get() >= times) {
                            return CompletableFuture.completedFuture(null);
                        }
                        interfered.incrementAndGet();
                        // The complement of what was read: the blocks really change under the reader.
                        byte other = (byte) ~seen.get(seen.position());
                        return delegate.write(lba, ByteBuffer.wrap(filled(seen.remaining(), other)), false);
                    });
                }
            };
        }
    }

    /** Splits every plain write into one write per block, so concurrent readers can see it half done. */
    private static final class Tearing extends ForwardingLogicalUnit {
        volatile CountDownLatch pauseAfterFirstBlock;
        volatile CountDownLatch resume;

        Tearing(LogicalUnit delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Void> write(long lba, ByteBuffer src, boolean fua) {
            int bs = delegate.blockSize();
            for (int i = 0; src.remaining() >= bs; i++) {
                ByteBuffer block = src.slice();
                block.limit(bs);
                delegate.write(lba + i, block, fua).join();
                src.position(src.position() + bs);
                if (i == 0 && pauseAfterFirstBlock != null) {
                    pauseAfterFirstBlock.countDown();
                    await(resume);
                }
                Thread.yield();
            }
            return CompletableFuture.completedFuture(null);
        }
    }
}
