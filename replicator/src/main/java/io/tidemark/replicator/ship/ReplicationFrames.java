package io.tidemark.replicator.ship;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;

/**
 * The replication protocol: link frame types 16.. (the link owns 0-15), one group per link session.
 *
 * <pre>
 *  primary                                   DR
 *     | -- PROTECT {group, groupId, epoch,      |   opens (creates) the group's ReplicaSink
 *     |             volumes, key, mode} -----&gt; |
 *     | &lt;-- RESUME {group, epoch, durable,      |   where the primary resumes: right after durable
 *     |             syncComplete} ------------- |
 *     | -- BATCH_MORE* BATCH (sealed records) -&gt; |   checks order, appends, syncs
 *     | &lt;-- ACK (groupId, durable seq) -------- |   highest sequence held durably
 *     | &lt;-- ERROR {group, sequence, reason} --- |   then the DR closes the session
 * </pre>
 *
 * PROTECT, RESUME and ERROR are UTF-8 JSON objects. A batch is sealed records laid end to end
 * ({@link io.tidemark.replicator.seal.SealedRecordDescriptor}, self-delimiting); a batch longer
 * than {@link #MAX_PART} is split: BATCH_MORE frames carry its leading parts, the BATCH frame
 * the last one. ACK, little-endian:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                           Group Id                            |  0
 *  +---------------------------------------------------------------+
 *  |                        Reserved (zero)                        |  4
 *  +---------------------------------------------------------------+
 *  |                   Durable Sequence (64)                       |  8
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ReplicationFrames {

    public static final int PROTECT = 16;
    public static final int RESUME = 17;
    public static final int BATCH = 18;
    public static final int BATCH_MORE = 19;
    public static final int ACK = 20;
    public static final int ERROR = 21;

    public static final int ACK_GROUP_ID_OFFSET = 0;
    public static final int ACK_RESERVED_OFFSET = 4;
    public static final int ACK_DURABLE_OFFSET = 8;
    public static final int ACK_LENGTH = 16;

    /** Largest piece of a batch in one frame (the link takes 16 MiB payloads). */
    public static final int MAX_PART = 8 << 20;
    /** Largest batch a receiver assembles: the largest batch setting plus one largest sealed record (32 MiB payload). */
    public static final int MAX_BATCH = ShipSettings.MAX_BATCH_BYTES + (33 << 20);
    /** Largest JSON control message. */
    public static final int MAX_CONTROL = 64 * 1024;

    static final ObjectMapper JSON = new ObjectMapper();

    private ReplicationFrames() {
    }

    /** Name of a frame type, for logs. */
    public static String name(int type) {
        return switch (type) {
            case PROTECT -> "PROTECT";
            case RESUME -> "RESUME";
            case BATCH -> "BATCH";
            case BATCH_MORE -> "BATCH_MORE";
            case ACK -> "ACK";
            case ERROR -> "ERROR";
            default -> "type " + type;
        };
    }

    static ByteBuf ack(int groupId, long durable) {
        ByteBuf b = Unpooled.buffer(ACK_LENGTH);
        b.writeIntLE(groupId).writeIntLE(0).writeLongLE(durable);
        return b;
    }

    /** The durable sequence of an ACK payload, checking length and group. */
    static long ackDurable(ByteBuf payload, int expectedGroupId) throws IOException {
        if (payload.readableBytes() != ACK_LENGTH) {
            throw new IOException("ACK length: " + payload.readableBytes() + " (expected: " + ACK_LENGTH + ")");
        }
        int group = payload.getIntLE(payload.readerIndex() + ACK_GROUP_ID_OFFSET);
        if (group != expectedGroupId) {
            throw new IOException("ACK for group id " + group + " (expected: " + expectedGroupId + ")");
        }
        return payload.getLongLE(payload.readerIndex() + ACK_DURABLE_OFFSET);
    }

    static ByteBuf json(Object message) {
        try {
            return Unpooled.wrappedBuffer(JSON.writeValueAsBytes(message));
        } catch (IOException e) {
            throw new IllegalStateException("encoding " + message.getClass().getSimpleName(), e);
        }
    }

    static <T> T parse(ByteBuf payload, Class<T> type) throws IOException {
        if (payload.readableBytes() > MAX_CONTROL) {
            throw new IOException(type.getSimpleName() + " length: " + payload.readableBytes() + " (expected: <= "
                    + MAX_CONTROL + ")");
        }
        try (ByteBufInputStream in = new ByteBufInputStream(payload.duplicate())) {
            T value = JSON.readValue((java.io.InputStream) in, type);
            if (value == null) {
                throw new IOException(type.getSimpleName() + ": empty");
            }
            return value;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(type.getSimpleName() + " is not valid: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new IOException(type.getSimpleName() + " is not valid: " + e.getMessage());
        }
    }

    /** Allocator for batches: heap, so sealing writes straight into it. */
    static ByteBufAllocator allocator() {
        return io.netty.buffer.UnpooledByteBufAllocator.DEFAULT;
    }
}
