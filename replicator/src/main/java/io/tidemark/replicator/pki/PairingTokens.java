package io.tidemark.replicator.pki;

import io.tidemark.replicator.pki.PairingException.Reason;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One-time pairing tokens issued by this appliance. A token reads
 * {@code tmk1.<issuer fingerprint>.<secret>} (both base64url, 32 bytes each): the dialing side
 * pins the issuer's certificate from it during the very first TLS handshake, and presents the
 * secret in its PAIR frame. Only a SHA-256 hash of each secret is kept, compared in constant
 * time; a token is redeemed at most once and not after its time to live. Thread-safe.
 */
public final class PairingTokens {

    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
    static final String PREFIX = "tmk1";
    static final int SECRET_BYTES = 32;
    /** Bounds memory under a flood of issue calls; the oldest tokens are forgotten first. */
    static final int MAX_KEPT = 1024;

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();

    /** A token and the moment it stops being accepted. */
    public record IssuedToken(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "IssuedToken[expiresAt=" + expiresAt + "]";
        }
    }

    /** What a token says before it is redeemed: the issuer's fingerprint (hex) and the secret. */
    public record ParsedToken(String issuerFingerprint, byte[] secret) {
    }

    private static final class Entry {
        final byte[] secretHash;
        final Instant expiresAt;
        boolean used;

        Entry(byte[] secretHash, Instant expiresAt) {
            this.secretHash = secretHash;
            this.expiresAt = expiresAt;
        }
    }

    private final Identity identity;
    private final Clock clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();
    private final List<Entry> entries = new ArrayList<>();

    public PairingTokens(Identity identity, Clock clock, Duration ttl) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("pairing token ttl: " + ttl + " (expected: > 0)");
        }
        this.ttl = ttl;
    }

    /** Tokens of {@link #DEFAULT_TTL} on the system clock. */
    public PairingTokens(Identity identity) {
        this(identity, Clock.systemUTC(), DEFAULT_TTL);
    }

    /** Issues a new one-time token. */
    public String issue() {
        return issueToken().token();
    }

    /** Issues a new one-time token and says until when it is valid. */
    public IssuedToken issueToken() {
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        Instant expiresAt = clock.instant().plus(ttl);
        synchronized (entries) {
            purge();
            entries.add(new Entry(Fingerprint.sha256(secret), expiresAt));
        }
        byte[] fingerprint = HexFormat.of().parseHex(identity.fingerprint());
        return new IssuedToken(PREFIX + "." + B64.encodeToString(fingerprint) + "." + B64.encodeToString(secret), expiresAt);
    }

    /**
     * Redeems {@code token}: succeeds once for a token issued here and not expired.
     *
     * @throws PairingException BAD_TOKEN (malformed, issued elsewhere, unknown, used) or EXPIRED
     */
    public void redeem(String token) throws PairingException {
        ParsedToken parsed = parse(token);
        if (!parsed.issuerFingerprint().equals(identity.fingerprint())) {
            throw new PairingException(Reason.BAD_TOKEN, "token was issued by another appliance ("
                    + parsed.issuerFingerprint().substring(0, 16) + "...)");
        }
        byte[] hash = Fingerprint.sha256(parsed.secret());
        Instant now = clock.instant();
        synchronized (entries) {
            Entry match = null;
            for (Entry e : entries) {
                // constant time per comparison: no early exit that would leak how much of a hash matched
                if (MessageDigest.isEqual(e.secretHash, hash)) {
                    match = e;
                }
            }
            if (match == null) {
                throw new PairingException(Reason.BAD_TOKEN, "unknown token");
            }
            if (match.used) {
                throw new PairingException(Reason.BAD_TOKEN, "token already used");
            }
            if (!now.isBefore(match.expiresAt)) {
                throw new PairingException(Reason.EXPIRED, "token expired at " + match.expiresAt);
            }
            match.used = true;
        }
    }

    /** Splits a token into the issuer's fingerprint and the secret (no check against any issuer). */
    public static ParsedToken parse(String token) throws PairingException {
        if (token == null) {
            throw new PairingException(Reason.BAD_TOKEN, "no token");
        }
        String[] parts = token.trim().split("\\.", -1);
        if (parts.length != 3 || !parts[0].equals(PREFIX)) {
            throw new PairingException(Reason.BAD_TOKEN, "malformed token (expected: " + PREFIX + ".<fingerprint>.<secret>)");
        }
        try {
            byte[] fingerprint = B64_DECODER.decode(parts[1]);
            byte[] secret = B64_DECODER.decode(parts[2]);
            if (fingerprint.length != Fingerprint.BYTES || secret.length != SECRET_BYTES) {
                throw new PairingException(Reason.BAD_TOKEN, "malformed token: fingerprint " + fingerprint.length
                        + " bytes, secret " + secret.length + " bytes (expected: " + Fingerprint.BYTES + " and " + SECRET_BYTES + ")");
            }
            if (!B64.encodeToString(fingerprint).equals(parts[1]) || !B64.encodeToString(secret).equals(parts[2])) {
                // unused trailing bits set: two spellings of one secret would both be accepted
                throw new PairingException(Reason.BAD_TOKEN, "malformed token: not canonical base64url (was it retyped?)");
            }
            return new ParsedToken(HexFormat.of().formatHex(fingerprint), secret);
        } catch (IllegalArgumentException e) {
            throw new PairingException(Reason.BAD_TOKEN, "malformed token: not base64url");
        }
    }

    public Duration ttl() {
        return ttl;
    }

    private void purge() {
        // used and expired entries stay one extra ttl so a late attempt gets a precise reason
        Instant horizon = clock.instant().minus(ttl);
        entries.removeIf(e -> e.expiresAt.isBefore(horizon));
        while (entries.size() >= MAX_KEPT) {
            entries.remove(0);
        }
    }
}
