package io.tidemark.replicator.ship;

/** ERROR: the DR refused something (names the group and the sequence concerned); it then closes the session. */
record ErrorMessage(String group, long sequence, String reason) {
}
