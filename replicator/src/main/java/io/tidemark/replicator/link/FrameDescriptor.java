package io.tidemark.replicator.link;

/**
 * Layout of one replication-link frame, inside the TLS stream:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              payload length (u32, big-endian)                 |  LENGTH_OFFSET
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     type      |  payload (length bytes, 0..16 MiB) ...           TYPE_OFFSET, HEADER_LENGTH
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Types 0-15 belong to the link itself ({@link LinkFrameType}), 16-255 to the replication protocol.
 */
public final class FrameDescriptor {

    public static final int LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int HEADER_LENGTH = 5;

    /** Largest payload of one frame: 16 MiB. */
    public static final int MAX_PAYLOAD = 16 << 20;

    /** Lowest type the replication protocol may use; below it the types are the link's. */
    public static final int FIRST_APPLICATION_TYPE = 16;
    public static final int MAX_TYPE = 255;

    private FrameDescriptor() {
    }

    /** Throws when {@code length} is not a valid payload length. */
    public static void checkPayloadLength(long length) {
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("frame payload length: " + length + " (expected: 0.." + MAX_PAYLOAD + ")");
        }
    }

    /** Throws when {@code type} is not one the replication protocol may send. */
    public static void checkApplicationType(int type) {
        if (type < FIRST_APPLICATION_TYPE || type > MAX_TYPE) {
            throw new IllegalArgumentException("frame type: " + type + " (expected: " + FIRST_APPLICATION_TYPE + ".." + MAX_TYPE + ")");
        }
    }

    public static boolean isLinkType(int type) {
        return type >= 0 && type < FIRST_APPLICATION_TYPE;
    }
}
