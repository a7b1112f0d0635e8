package io.tidemark.replicator.ship;

/** RESUME: what the DR holds of the group, so the primary resumes right after {@code durable}. */
record ResumeMessage(String group, long epoch, long durable, boolean syncComplete) {
}
