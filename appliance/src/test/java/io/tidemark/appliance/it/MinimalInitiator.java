package io.tidemark.appliance.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough of an iSCSI initiator to send CDBs no packaged tool sends (PERSISTENT RESERVE
 * IN/OUT): one connection, login straight into the operational stage (no auth, no digests),
 * SCSI commands with immediate data only, one at a time. Independent of the project's own
 * protocol code on purpose. Not thread-safe.
 * <pre>
 * Basic Header Segment (48 bytes), the fields used here:
 *  0      opcode (bit 6: immediate)      1      flags
 *  4      TotalAHSLength                  5..7   DataSegmentLength
 *  8..15  LUN / ISID+TSIH                 16..19 Initiator Task Tag
 *  20..23 ExpectedDataTransferLength      24..27 CmdSN (request) / StatSN (response)
 *  28..31 ExpStatSN / ExpCmdSN            32..47 CDB (SCSI Command)
 *  response: 2 response, 3 status (SCSI Response); 36..37 status class/detail (Login Response)
 * </pre>
 */
final class MinimalInitiator implements AutoCloseable {

    private static final int BHS = 48;
    private static final int OP_LOGIN = 0x03;
    private static final int OP_SCSI_COMMAND = 0x01;
    private static final int OP_LOGOUT = 0x06;
    private static final int OP_NOP_IN = 0x20;
    private static final int OP_SCSI_RESPONSE = 0x21;
    private static final int OP_LOGIN_RESPONSE = 0x23;
    private static final int OP_DATA_IN = 0x25;
    private static final int OP_LOGOUT_RESPONSE = 0x26;
    private static final int IMMEDIATE = 0x40;
    private static final int FINAL = 0x80;
    private static final int READ = 0x40;
    private static final int WRITE = 0x20;
    private static final int SIMPLE_TASK = 0x01;
    private static final int DATA_IN_HAS_STATUS = 0x01;
    private static final int TIMEOUT_MS = 15_000;

    /** The outcome of one SCSI command. */
    record Result(int status, byte[] data, byte[] sense) {
        static final int GOOD = 0x00;
        static final int CHECK_CONDITION = 0x02;

        int senseKey() {
            return sense.length > 2 ? sense[2] & 0x0f : -1;
        }

        @Override
        public String toString() {
            return "status 0x" + Integer.toHexString(status) + (sense.length > 0
                    ? ", sense key 0x" + Integer.toHexString(senseKey()) + " asc/ascq 0x"
                    + (sense.length > 13 ? String.format("%02x%02x", sense[12], sense[13]) : "?") : "");
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int itt = 1;
    private int cmdSn = 1;
    private int expStatSn;

    private MinimalInitiator(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and logs in to this target as this initiator; throws AssertionError if refused. */
    static MinimalInitiator login(String host, int port, String initiatorName, String targetName) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
        MinimalInitiator initiator = new MinimalInitiator(socket);
        initiator.negotiate(initiatorName, targetName);
        return initiator;
    }

    private void negotiate(String initiatorName, String targetName) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", initiatorName);
        keys.put("SessionType", "Normal");
        keys.put("TargetName", targetName);
        keys.put("HeaderDigest", "None");
        keys.put("DataDigest", "None");
        keys.put("MaxRecvDataSegmentLength", "262144");
        for (int round = 0; round < 4; round++) {
            byte[] bhs = new byte[BHS];
            bhs[0] = (byte) (IMMEDIATE | OP_LOGIN);
            bhs[1] = (byte) (0x80 | (1 << 2) | 3); // Transit, CSG operational, NSG full feature
            bhs[8] = 0x40; // ISID: random type, fixed value so a re-login is the same I_T nexus
            bhs[9] = 0x12;
            bhs[10] = 0x34;
            ByteBuffer.wrap(bhs).putInt(24, cmdSn).putInt(28, expStatSn);
            send(bhs, round == 0 ? text(keys) : new byte[0]);
            Pdu reply = receive();
            if (reply.opcode() != OP_LOGIN_RESPONSE) {
                throw new AssertionError("expected a Login Response, got opcode 0x" + Integer.toHexString(reply.opcode()));
            }
            int statusClass = reply.bhs()[36] & 0xff;
            int statusDetail = reply.bhs()[37] & 0xff;
            if (statusClass != 0) {
                throw new AssertionError(String.format("login refused: status 0x%02x%02x", statusClass, statusDetail));
            }
            expStatSn = ByteBuffer.wrap(reply.bhs()).getInt(24) + 1;
            boolean transit = (reply.bhs()[1] & 0x80) != 0;
            if (transit && (reply.bhs()[1] & 0x03) == 3) {
                return;
            }
        }
        throw new AssertionError("login did not reach full feature phase in 4 rounds");
    }

    /** Sends one CDB to LUN 0 with optional data-out (as immediate data); waits for its status. */
    Result command(byte[] cdb, byte[] dataOut, int allocationLength) throws IOException {
        byte[] bhs = new byte[BHS];
        int tag = itt++;
        bhs[0] = OP_SCSI_COMMAND;
        bhs[1] = (byte) (FINAL | SIMPLE_TASK | (dataOut.length > 0 ? WRITE : 0) | (allocationLength > 0 ? READ : 0));
        ByteBuffer.wrap(bhs).putInt(16, tag).putInt(20, Math.max(dataOut.length, allocationLength))
                .putInt(24, cmdSn++).putInt(28, expStatSn);
        System.arraycopy(cdb, 0, bhs, 32, cdb.length);
        send(bhs, dataOut);
        java.io.ByteArrayOutputStream dataIn = new java.io.ByteArrayOutputStream();
        for (;;) {
            Pdu reply = receive();
            ByteBuffer header = ByteBuffer.wrap(reply.bhs());
            switch (reply.opcode()) {
                case OP_DATA_IN -> {
                    dataIn.write(reply.data());
                    if ((reply.bhs()[1] & DATA_IN_HAS_STATUS) != 0) {
                        expStatSn = header.getInt(24) + 1;
                        return new Result(reply.bhs()[3] & 0xff, dataIn.toByteArray(), new byte[0]);
                    }
                }
                case OP_SCSI_RESPONSE -> {
                    expStatSn = header.getInt(24) + 1;
                    byte[] sense = reply.data().length >= 2
                            ? Arrays.copyOfRange(reply.data(), 2, 2 + (((reply.data()[0] & 0xff) << 8) | (reply.data()[1] & 0xff)))
                            : new byte[0];
                    return new Result(reply.bhs()[3] & 0xff, dataIn.toByteArray(), sense);
                }
                case OP_NOP_IN -> { } // a keepalive; ours are short-lived
                default -> throw new AssertionError("unexpected opcode 0x" + Integer.toHexString(reply.opcode())
                        + " while waiting for task " + tag);
            }
        }
    }

    /** TEST UNIT READY until GOOD: consumes the unit attentions a new nexus sees first. */
    void clearUnitAttentions() throws IOException {
        for (int i = 0; i < 8; i++) {
            Result r = command(new byte[6], new byte[0], 0);
            if (r.status() == Result.GOOD) {
                return;
            }
        }
        throw new AssertionError("TEST UNIT READY never returned GOOD");
    }

    private record Pdu(int opcode, byte[] bhs, byte[] data) {}

    private void send(byte[] bhs, byte[] data) throws IOException {
        bhs[5] = (byte) (data.length >>> 16);
        bhs[6] = (byte) (data.length >>> 8);
        bhs[7] = (byte) data.length;
        out.write(bhs);
        out.write(data);
        out.write(new byte[(4 - data.length % 4) % 4]);
        out.flush();
    }

    private Pdu receive() throws IOException {
        byte[] bhs = new byte[BHS];
        in.readFully(bhs);
        int ahs = (bhs[4] & 0xff) * 4;
        int length = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
        in.readFully(new byte[ahs]);
        byte[] data = new byte[length];
        in.readFully(data);
        in.readFully(new byte[(4 - length % 4) % 4]);
        return new Pdu(bhs[0] & 0x3f, bhs, data);
    }

    private static byte[] text(Map<String, String> keys) {
        StringBuilder text = new StringBuilder();
        keys.forEach((k, v) -> text.append(k).append('=').append(v).append('\0'));
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Logs out (best effort) and closes the connection. */
    @Override
    public void close() throws IOException {
        try {
            byte[] bhs = new byte[BHS];
            bhs[0] = (byte) (IMMEDIATE | OP_LOGOUT);
            bhs[1] = (byte) FINAL; // reason: close the session
            ByteBuffer.wrap(bhs).putInt(16, itt++).putInt(24, cmdSn).putInt(28, expStatSn);
            send(bhs, new byte[0]);
            while (receive().opcode() != OP_LOGOUT_RESPONSE) {
                // skip anything still in flight
            }
        } catch (IOException ignored) {
            // the target may already have closed: nothing left to release but the socket
        } finally {
            socket.close();
        }
    }
}
