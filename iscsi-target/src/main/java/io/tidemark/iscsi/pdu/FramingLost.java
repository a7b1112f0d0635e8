package io.tidemark.iscsi.pdu;

/**
 * Emitted once by {@link PduDecoder} when the byte stream can no longer be split into PDUs
 * (bad header digest, impossible lengths); the decoder discards everything after it and the
 * connection is to be closed.
 */
public record FramingLost(String reason) {}
