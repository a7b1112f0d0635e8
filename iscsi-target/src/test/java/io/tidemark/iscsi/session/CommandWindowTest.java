package io.tidemark.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.tidemark.iscsi.pdu.Pdu;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandWindowTest {

    private static Pdu command(int cmdSn) {
        byte[] bhs = new byte[48];
        bhs[0] = 0x01;
        java.nio.ByteBuffer.wrap(bhs).putInt(24, cmdSn);
        return new Pdu(Unpooled.wrappedBuffer(bhs), null, null, Pdu.Defect.NONE);
    }

    @Test
    void shouldDeliverEarlyCommandsOnceTheGapIsFilled() {
        CommandWindow w = new CommandWindow(128, 10);
        List<Integer> delivered = new ArrayList<>();
        assertThat(w.offer(command(12), p -> delivered.add(10))).isEqualTo(CommandWindow.Admission.QUEUED);
        assertThat(w.offer(command(11), p -> delivered.add(11))).isEqualTo(CommandWindow.Admission.QUEUED);
        List<Integer> order = new ArrayList<>();
        assertThat(w.offer(command(10), p -> order.add(io.tidemark.iscsi.pdu.Bhs.cmdSn(p.bhs()))))
                .isEqualTo(CommandWindow.Admission.DELIVERED);
        assertThat(order).containsExactly(10, 11, 12);
        assertThat(w.expCmdSn()).isEqualTo(13);
        assertThat(delivered).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 138, -5, 1_000_000})
    void shouldRefuseCommandsOutsideTheWindow(int cmdSn) {
        CommandWindow w = new CommandWindow(128, 10);
        Pdu p = command(cmdSn);
        assertThat(w.offer(p, x -> { })).isEqualTo(CommandWindow.Admission.OUT_OF_WINDOW);
        p.release();
    }

    @Test
    void shouldShrinkMaxCmdSnWhileCommandsRunAndNeverMoveItBack() {
        CommandWindow w = new CommandWindow(4, 0xfffffffe);
        int max = w.maxCmdSn();
        assertThat(max).isEqualTo(0xfffffffe + 3);
        w.offer(command(0xfffffffe), p -> w.commandStarted());
        w.offer(command(0xffffffff), p -> w.commandStarted());
        assertThat(w.maxCmdSn()).as("wraps, unchanged while two run").isEqualTo(max);
        w.commandFinished();
        assertThat(w.maxCmdSn()).isEqualTo(max + 1);
        assertThat(w.expCmdSn()).isZero();
    }
}
