package io.tidemark.appliance.api;

/**
 * A one-time pairing token: give it to the other appliance's {@code peer pair}.
 *
 * @param expiresAt ISO-8601; the token is refused after it, and after its first use
 */
public record TokenView(String token, String expiresAt) {}
