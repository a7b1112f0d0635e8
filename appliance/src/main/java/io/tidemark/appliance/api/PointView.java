package io.tidemark.appliance.api;

/**
 * A recovery point of a replica's history.
 *
 * @param time ISO-8601
 * @param name the checkpoint's name; null for an automatic point
 */
public record PointView(long sequence, String time, String name) {}
