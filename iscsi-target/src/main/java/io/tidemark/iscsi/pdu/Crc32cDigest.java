package io.tidemark.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * iSCSI header and data digests: CRC32C over the bytes, sent least significant byte first
 * (RFC 7143 section 13.1; 32 zero bytes digest to {@code aa 36 91 8a} on the wire). Not
 * thread-safe: one instance per connection, used on its event loop.
 */
public final class Crc32cDigest {

    public static final int LENGTH = 4;
    private static final ByteBuffer ZEROS = ByteBuffer.allocate(4);

    private final CRC32C crc = new CRC32C();

    /** The digest of {@code length} bytes at {@code index}, as the int read little-endian. */
    public int digest(ByteBuf buf, int index, int length) {
        crc.reset();
        update(buf, index, length);
        return (int) crc.getValue();
    }

    /** The digest of a data segment followed by its zero padding. */
    public int digestPadded(ByteBuf buf, int index, int length) {
        crc.reset();
        update(buf, index, length);
        int pad = Bhs.padding(length);
        if (pad > 0) {
            crc.update(ZEROS.duplicate().limit(pad));
        }
        return (int) crc.getValue();
    }

    private void update(ByteBuf buf, int index, int length) {
        if (length == 0) {
            return;
        }
        if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(index, length));
        } else {
            for (ByteBuffer b : buf.nioBuffers(index, length)) {
                crc.update(b);
            }
        }
    }
}
