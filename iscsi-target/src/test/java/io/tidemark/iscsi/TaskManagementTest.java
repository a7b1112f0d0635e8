package io.tidemark.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidemark.iscsi.client.IscsiTestClient;
import io.tidemark.iscsi.client.IscsiTestClient.Pdu;
import io.tidemark.iscsi.scsi.ScsiResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskManagementTest {

    private static final int ABORT_TASK = 1;
    private static final int ABORT_TASK_SET = 2;
    private static final int LUN_RESET = 5;
    private static final int WARM_RESET = 6;
    private static final int COLD_RESET = 7;

    private TestPortal portal;
    private IscsiTestClient c;

    @BeforeEach
    void start() throws Exception {
        portal = new TestPortal();
        c = portal.loggedIn(false, false);
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
        portal.close();
    }

    @Test
    void shouldAnswerTaskDoesNotExistForAnUnknownTag() throws Exception {
        int itt = c.nextItt();
        c.send(c.taskManagement(itt, ABORT_TASK, 0, 0x7777, c.cmdSn() - 1), null);
        Pdu p = c.read();
        assertThat(p.opcode()).isEqualTo(0x22);
        assertThat(p.itt()).isEqualTo(itt);
        assertThat(p.byteAt(2)).isEqualTo(1);
    }

    @Test
    void shouldAbortARunningTaskWithoutAnsweringIt() throws Exception {
        portal.disk().holdNextCommand();
        int victim = c.nextItt();
        int victimCmdSn = c.cmdSn();
        c.send(c.scsiCommand(victim, 0xc0, 0, 512, IscsiTestClient.rw10(0x28, 0, 1)), null);
        var held = portal.disk().held.poll(5, TimeUnit.SECONDS);
        assertThat(held).isNotNull();
        int tmf = c.nextItt();
        c.send(c.taskManagement(tmf, ABORT_TASK, 0, victim, victimCmdSn), null);
        assertThat(c.silentFor(200)).as("no answer while the task still runs").isTrue();
        held.complete(ScsiResponse.good(java.nio.ByteBuffer.allocate(512)));
        Pdu p = c.read();
        assertThat(p.opcode()).isEqualTo(0x22);
        assertThat(p.itt()).isEqualTo(tmf);
        assertThat(p.byteAt(2)).isZero();
        int nop = c.nextItt();
        c.send(c.nopOut(nop), null);
        assertThat(c.read().itt()).as("the aborted task's data never comes").isEqualTo(nop);
    }

    @Test
    void shouldAbortATaskWaitingForDataAtOnce() throws Exception {
        int victim = c.nextItt();
        int victimCmdSn = c.cmdSn();
        c.send(c.scsiCommand(victim, 0xa0, 0, 65536, IscsiTestClient.rw10(0x2a, 0, 128)), null);
        assertThat(c.read().opcode()).isEqualTo(0x31);
        int tmf = c.nextItt();
        c.send(c.taskManagement(tmf, ABORT_TASK, 0, victim, victimCmdSn), null);
        Pdu p = c.readUntil(0x22);
        assertThat(p.byteAt(2)).isZero();
        c.send(c.dataOut(victim, -1, 0, 0, true), new byte[512]);
        assertThat(c.readUntil(0x3f).byteAt(2)).as("data for the aborted task").isEqualTo(0x09);
    }

    @ParameterizedTest(name = "function {0} -> {1}")
    @CsvSource({
            "2, ABORT_TASK_SET",
            "4, CLEAR_TASK_SET",
            "5, LOGICAL_UNIT_RESET",
            "6, TARGET_WARM_RESET"})
    void shouldPassResetsToTheScsiLayer(int function, String reset) throws Exception {
        int itt = c.nextItt();
        c.send(c.taskManagement(itt, function, 1, -1, 0), null);
        Pdu p = c.read();
        assertThat(p.opcode()).isEqualTo(0x22);
        assertThat(p.byteAt(2)).isZero();
        assertThat(portal.disk().events).contains("reset:" + reset + ":1");
    }

    @Test
    void shouldAnswerLunDoesNotExistForAResetOfAMissingLun() throws Exception {
        int itt = c.nextItt();
        c.send(c.taskManagement(itt, LUN_RESET, 9, -1, 0), null);
        assertThat(c.read().byteAt(2)).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({"3, 5", "8, 4", "14, 5"})
    void shouldAnswerUnsupportedFunctions(int function, int response) throws Exception {
        int itt = c.nextItt();
        c.send(c.taskManagement(itt, function, 0, -1, 0), null);
        assertThat(c.read().byteAt(2)).isEqualTo(response);
    }

    @Test
    void shouldDropTheConnectionAfterAColdReset() throws Exception {
        int itt = c.nextItt();
        c.send(c.taskManagement(itt, COLD_RESET, 0, -1, 0), null);
        Pdu p = c.read();
        assertThat(p.byteAt(2)).isZero();
        assertThat(portal.disk().events).contains("reset:TARGET_COLD_RESET:0");
        assertThat(c.closedByTarget()).isTrue();
    }

    @Test
    void shouldWaitForRunningTasksBeforeAnsweringAnAbortTaskSet() throws Exception {
        portal.disk().holdNextCommand();
        c.send(c.scsiCommand(c.nextItt(), 0x80, 0, 0, new byte[6]), null);
        var held = portal.disk().held.poll(5, TimeUnit.SECONDS);
        int itt = c.nextItt();
        c.send(c.taskManagement(itt, ABORT_TASK_SET, 0, -1, 0), null);
        assertThat(c.silentFor(200)).isTrue();
        held.complete(ScsiResponse.good());
        Pdu p = c.read();
        assertThat(p.opcode()).isEqualTo(0x22);
        assertThat(p.itt()).isEqualTo(itt);
        assertThat(portal.disk().events).contains("reset:ABORT_TASK_SET:0");
        assertThat(WARM_RESET).isEqualTo(6);
    }
}
