/**
 * Sealed records: journal records as they travel to and rest at the DR site. Each is its 64-byte
 * cleartext header ({@link io.tidemark.replicator.seal.SealedRecordDescriptor}) followed by the
 * AES-256-GCM ciphertext of its payload, zstd-compressed when that saves at least an eighth; the
 * header is the associated data and the nonce is (epoch, sequence), so an altered, reordered or
 * replayed record does not open. {@link io.tidemark.replicator.seal.RecordSealer} on the primary,
 * {@link io.tidemark.replicator.seal.RecordOpener} at the DR (one of each per thread), one
 * {@link io.tidemark.replicator.seal.DataKey} per group. METADATA payloads are
 * {@link io.tidemark.replicator.seal.Metadata} JSON objects.
 */
package io.tidemark.replicator.seal;
