package io.tidemark.replicator.link;

/**
 * The link's own frame types (0-15). Payloads are small UTF-8 JSON objects ({@link LinkMessages}).
 * <pre>
 *   dialer                       listener
 *   HELLO {name}           ->                 pinned:   <- READY {name}      (session open)
 *                                             unpinned: <- REFUSED {reason}  (closed)
 *   PAIR {token,name}      ->                 valid:    <- PAIRED {name}     (closed after)
 *                                             invalid:  <- PAIR_REFUSED {reason,message}
 *   PING                   ->                           <- PONG   (either side, any time)
 * </pre>
 */
enum LinkFrameType {
    HELLO(1),
    READY(2),
    REFUSED(3),
    PAIR(4),
    PAIRED(5),
    PAIR_REFUSED(6),
    PING(7),
    PONG(8);

    private static final LinkFrameType[] BY_CODE = new LinkFrameType[FrameDescriptor.FIRST_APPLICATION_TYPE];

    static {
        for (LinkFrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    final int code;

    LinkFrameType(int code) {
        this.code = code;
    }

    /** The link type of {@code code}, null when unassigned or not a link type. */
    static LinkFrameType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Largest payload of a link frame; also the frame limit before a session is established. */
    static final int MAX_LINK_PAYLOAD = 64 << 10;
}
