package io.tidemark.appliance.api;

/**
 * A named checkpoint set on the primary: the DR side can export a view at it once received.
 *
 * @param time ISO-8601 (when it was made durable on the primary)
 */
public record CheckpointView(String name, long sequence, String time) {}
