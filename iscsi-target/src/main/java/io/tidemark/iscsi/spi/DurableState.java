package io.tidemark.iscsi.spi;

/** A small durable blob, replaced atomically as a whole (persistent reservations). */
public interface DurableState {

    /** The last stored value, or an empty array when nothing was stored. */
    byte[] load();

    /** Replaces the stored value; durable when this returns. */
    void store(byte[] value);
}
