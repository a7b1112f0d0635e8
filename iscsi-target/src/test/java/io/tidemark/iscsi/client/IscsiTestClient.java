package io.tidemark.iscsi.client;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A small blocking iSCSI initiator for tests: login (None or CHAP, mutual optional, digests
 * on or off), any PDU or raw bytes out, PDUs in. Written from RFC 7143, independent of the
 * server's classes so that it checks them rather than mirrors them. Not thread-safe.
 */
public final class IscsiTestClient implements AutoCloseable {

    public static final String INITIATOR = "iqn.2026-11.io.tidemark.test:client";

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private boolean headerDigest;
    private boolean dataDigest;
    private int cmdSn = 1;
    private int expStatSn;
    private int nextItt = 1;
    private int maxCmdSn;
    private byte[] isid = {0x40, 0, 0, 0x12, 0x34, 0x56};
    private int tsih;
    private Map<String, String> lastLoginKeys = Map.of();

    private IscsiTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static IscsiTestClient connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(address, 5000);
        s.setSoTimeout(5000);
        return new IscsiTestClient(s);
    }

    /** One received PDU: its 48-byte BHS and data segment (digests checked, padding removed). */
    public record Pdu(byte[] bhs, byte[] data) {
        public int opcode() {
            return bhs[0] & 0x3f;
        }

        public int flags() {
            return bhs[1] & 0xff;
        }

        public int itt() {
            return ByteBuffer.wrap(bhs).getInt(16);
        }

        public int intAt(int offset) {
            return ByteBuffer.wrap(bhs).getInt(offset);
        }

        public int byteAt(int offset) {
            return bhs[offset] & 0xff;
        }

        public int statSn() {
            return intAt(24);
        }

        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** The options of a login. */
    public record Login(String initiator, String target, String chapUser, String chapSecret, String mutualSecret,
                        boolean headerDigest, boolean dataDigest, Map<String, String> extraKeys) {
        public static Login none(String target) {
            return new Login(INITIATOR, target, null, null, null, false, false, Map.of());
        }

        public static Login discovery() {
            return new Login(INITIATOR, null, null, null, null, false, false, Map.of());
        }

        public Login chap(String user, String secret) {
            return new Login(initiator, target, user, secret, mutualSecret, headerDigest, dataDigest, extraKeys);
        }

        public Login mutual(String secret) {
            return new Login(initiator, target, chapUser, chapSecret, secret, headerDigest, dataDigest, extraKeys);
        }

        public Login digests(boolean header, boolean data) {
            return new Login(initiator, target, chapUser, chapSecret, mutualSecret, header, data, extraKeys);
        }

        public Login initiatorName(String name) {
            return new Login(name, target, chapUser, chapSecret, mutualSecret, headerDigest, dataDigest, extraKeys);
        }

        public Login keys(Map<String, String> keys) {
            return new Login(initiator, target, chapUser, chapSecret, mutualSecret, headerDigest, dataDigest, keys);
        }
    }

    public IscsiTestClient isid(byte[] value) {
        this.isid = value.clone();
        return this;
    }

    /**
     * Logs in; returns the status of the last Login Response (0 on success, else class << 8
     * | detail). Throws when the target's mutual CHAP answer is wrong.
     */
    public int login(Login o) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", o.initiator());
        if (o.target() == null) {
            keys.put("SessionType", "Discovery");
        } else {
            keys.put("TargetName", o.target());
        }
        keys.put("AuthMethod", o.chapUser() != null ? "CHAP,None" : "None");
        Pdu r = loginPdu(0, 1, o.chapUser() == null, keys);
        if (status(r) != 0) {
            return status(r);
        }
        if (o.chapUser() != null) {
            r = loginPdu(0, 1, false, Map.of("CHAP_A", "5"));
            if (status(r) != 0) {
                return status(r);
            }
            Map<String, String> challenge = lastLoginKeys;
            int id = Integer.parseInt(challenge.get("CHAP_I"));
            byte[] c = HexFormat.of().parseHex(challenge.get("CHAP_C").substring(2));
            Map<String, String> answer = new LinkedHashMap<>();
            answer.put("CHAP_N", o.chapUser());
            answer.put("CHAP_R", "0x" + HexFormat.of().formatHex(md5(id, o.chapSecret(), c)));
            byte[] mine = new byte[16];
            if (o.mutualSecret() != null) {
                new java.util.Random(7).nextBytes(mine);
                answer.put("CHAP_I", "77");
                answer.put("CHAP_C", "0x" + HexFormat.of().formatHex(mine));
            }
            r = loginPdu(0, 1, true, answer);
            if (status(r) != 0) {
                return status(r);
            }
            if (o.mutualSecret() != null) {
                byte[] expected = md5(77, o.mutualSecret(), mine);
                String got = lastLoginKeys.get("CHAP_R");
                if (got == null || !MessageDigest.isEqual(expected, HexFormat.of().parseHex(got.substring(2)))) {
                    throw new IOException("target failed mutual CHAP: CHAP_R=" + got);
                }
            }
        }
        Map<String, String> op = new LinkedHashMap<>();
        op.put("HeaderDigest", o.headerDigest() ? "CRC32C" : "None");
        op.put("DataDigest", o.dataDigest() ? "CRC32C" : "None");
        op.put("MaxRecvDataSegmentLength", "8192");
        if (o.target() != null) {
            op.put("InitialR2T", "No");
            op.put("ImmediateData", "Yes");
            op.put("FirstBurstLength", "16384");
            op.put("MaxBurstLength", "65536");
            op.put("MaxOutstandingR2T", "2");
        }
        op.putAll(o.extraKeys());
        r = loginPdu(1, 3, true, op);
        if (status(r) != 0) {
            return status(r);
        }
        tsih = ((r.bhs()[14] & 0xff) << 8) | (r.bhs()[15] & 0xff);
        headerDigest = "CRC32C".equals(lastLoginKeys.get("HeaderDigest"));
        dataDigest = "CRC32C".equals(lastLoginKeys.get("DataDigest"));
        return 0;
    }

    public Map<String, String> lastLoginKeys() {
        return lastLoginKeys;
    }

    public int tsih() {
        return tsih;
    }

    private Pdu loginPdu(int csg, int nsg, boolean transit, Map<String, String> keys) throws IOException {
        byte[] bhs = new byte[48];
        bhs[0] = 0x43;
        bhs[1] = (byte) ((transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0));
        System.arraycopy(isid, 0, bhs, 8, 6);
        putInt(bhs, 16, nextItt++);
        putInt(bhs, 24, cmdSn);
        putInt(bhs, 28, expStatSn);
        send(bhs, text(keys));
        Pdu r = read();
        if (r.opcode() != 0x23) {
            throw new IOException("expected a Login Response, got opcode 0x" + Integer.toHexString(r.opcode()));
        }
        expStatSn = r.statSn() + 1;
        maxCmdSn = r.intAt(32);
        lastLoginKeys = parse(r.data());
        return r;
    }

    private static int status(Pdu r) {
        return r.byteAt(36) << 8 | r.byteAt(37);
    }

    // ---- full feature phase helpers

    public int nextItt() {
        return nextItt++;
    }

    /** Builds a SCSI Command BHS (flags: 0x80 F, 0x40 R, 0x20 W) with the next CmdSN. */
    public byte[] scsiCommand(int itt, int flags, int lun, int edtl, byte[] cdb) {
        byte[] bhs = new byte[48];
        bhs[0] = 0x01;
        bhs[1] = (byte) (flags | 0x01);
        bhs[9] = (byte) lun;
        putInt(bhs, 16, itt);
        putInt(bhs, 20, edtl);
        putInt(bhs, 24, cmdSn++);
        putInt(bhs, 28, expStatSn);
        System.arraycopy(cdb, 0, bhs, 32, cdb.length);
        return bhs;
    }

    public byte[] dataOut(int itt, int ttt, int dataSn, int offset, boolean last) {
        byte[] bhs = new byte[48];
        bhs[0] = 0x05;
        bhs[1] = (byte) (last ? 0x80 : 0);
        putInt(bhs, 16, itt);
        putInt(bhs, 20, ttt);
        putInt(bhs, 28, expStatSn);
        putInt(bhs, 36, dataSn);
        putInt(bhs, 40, offset);
        return bhs;
    }

    /** A NOP-Out ping that wants an answer (immediate). */
    public byte[] nopOut(int itt) {
        byte[] bhs = new byte[48];
        bhs[0] = 0x40;
        bhs[1] = (byte) 0x80;
        putInt(bhs, 16, itt);
        putInt(bhs, 20, -1);
        putInt(bhs, 24, cmdSn);
        putInt(bhs, 28, expStatSn);
        return bhs;
    }

    public byte[] taskManagement(int itt, int function, int lun, int referencedItt, int refCmdSn) {
        byte[] bhs = new byte[48];
        bhs[0] = 0x42;
        bhs[1] = (byte) (0x80 | function);
        bhs[9] = (byte) lun;
        putInt(bhs, 16, itt);
        putInt(bhs, 20, referencedItt);
        putInt(bhs, 24, cmdSn);
        putInt(bhs, 28, expStatSn);
        putInt(bhs, 32, refCmdSn);
        return bhs;
    }

    public byte[] textRequest(int itt, int ttt) {
        byte[] bhs = new byte[48];
        bhs[0] = 0x44;
        bhs[1] = (byte) 0x80;
        putInt(bhs, 16, itt);
        putInt(bhs, 20, ttt);
        putInt(bhs, 24, cmdSn);
        putInt(bhs, 28, expStatSn);
        return bhs;
    }

    public byte[] logout(int itt) {
        byte[] bhs = new byte[48];
        bhs[0] = 0x46;
        bhs[1] = (byte) 0x80;
        putInt(bhs, 16, itt);
        putInt(bhs, 24, cmdSn);
        putInt(bhs, 28, expStatSn);
        return bhs;
    }

    public int cmdSn() {
        return cmdSn;
    }

    public int maxCmdSn() {
        return maxCmdSn;
    }

    /** Sends a PDU with padding and the digests in force. */
    public void send(byte[] bhs, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int length = data == null ? 0 : data.length;
        bhs[5] = (byte) (length >>> 16);
        bhs[6] = (byte) (length >>> 8);
        bhs[7] = (byte) length;
        b.write(bhs);
        if (headerDigest) {
            b.write(crcBytes(bhs, 0, 48, 0));
        }
        if (length > 0) {
            b.write(data);
            int pad = -length & 3;
            b.write(new byte[pad]);
            if (dataDigest) {
                b.write(crcBytes(data, 0, length, pad));
            }
        }
        out.write(b.toByteArray());
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one PDU; updates ExpStatSN/MaxCmdSN from status-bearing ones. */
    public Pdu read() throws IOException {
        byte[] bhs = new byte[48];
        in.readFully(bhs);
        if (headerDigest) {
            int got = Integer.reverseBytes(in.readInt());
            if (got != crc(bhs, 0, 48, 0)) {
                throw new IOException("header digest mismatch from target");
            }
        }
        int length = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
        int ahs = (bhs[4] & 0xff) * 4;
        in.skipNBytes(ahs);
        byte[] data = new byte[length];
        in.readFully(data);
        int pad = -length & 3;
        in.skipNBytes(pad);
        if (dataDigest && length > 0) {
            int got = Integer.reverseBytes(in.readInt());
            if (got != crc(data, 0, length, pad)) {
                throw new IOException("data digest mismatch from target");
            }
        }
        Pdu p = new Pdu(bhs, data);
        int opcode = p.opcode();
        if (opcode != 0x25 && opcode != 0x31 && !(opcode == 0x20 && p.itt() == -1)) {
            expStatSn = p.statSn() + 1;
        } else if (opcode == 0x25 && (p.flags() & 0x01) != 0) {
            expStatSn = p.statSn() + 1;
        }
        if (opcode >= 0x20) {
            maxCmdSn = p.intAt(32);
        }
        return p;
    }

    /** True when the target closed the connection within the socket timeout (data before it is skipped). */
    public boolean closedByTarget() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain what the target sent before closing
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Reads until a PDU with {@code opcode} arrives; fails on EOF or timeout. */
    public Pdu readUntil(int opcode) throws IOException {
        for (;;) {
            Pdu p = read();
            if (p.opcode() == opcode) {
                return p;
            }
        }
    }

    /** Nothing arrives within {@code millis}. */
    public boolean silentFor(int millis) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                throw new EOFException("target closed the connection");
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    public void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- encoding helpers

    public static byte[] text(Map<String, String> keys) {
        StringBuilder sb = new StringBuilder();
        keys.forEach((k, v) -> sb.append(k).append('=').append(v).append('\0'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static Map<String, String> parse(byte[] data) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pair : new String(data, StandardCharsets.UTF_8).split("\0")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                keys.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return keys;
    }

    public static void putInt(byte[] b, int offset, int v) {
        ByteBuffer.wrap(b).putInt(offset, v);
    }

    public static int crc(byte[] b, int offset, int length, int pad) {
        CRC32C c = new CRC32C();
        c.update(b, offset, length);
        c.update(new byte[pad]);
        return (int) c.getValue();
    }

    /** The digest as it goes on the wire: least significant byte first. */
    public static byte[] crcBytes(byte[] b, int offset, int length, int pad) {
        int v = crc(b, offset, length, pad);
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    public static byte[] md5(int id, String secret, byte[] challenge) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update((byte) id);
            md.update(secret.getBytes(StandardCharsets.UTF_8));
            md.update(challenge);
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** READ(10)/WRITE(10) CDBs. */
    public static byte[] rw10(int opcode, long lba, int blocks) {
        byte[] cdb = new byte[10];
        cdb[0] = (byte) opcode;
        ByteBuffer.wrap(cdb).putInt(2, (int) lba).putShort(7, (short) blocks);
        return cdb;
    }
}
