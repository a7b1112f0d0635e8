package io.tidemark.iscsi;

import java.time.Duration;

/**
 * Portal-wide settings of the iSCSI server.
 *
 * @param bindAddress       address to listen on, e.g. 0.0.0.0
 * @param port              TCP port (3260 by default; 0 picks a free one)
 * @param portalGroupTag    the portal group tag reported at login and in SendTargets
 * @param advertisedHost    host name or address announced in SendTargets (TargetAddress);
 *                          null or empty: the address the initiator connected to
 * @param keepaliveInterval idle time after which the target pings a session with a NOP-In
 *                          and closes it when the next interval passes without any PDU; it
 *                          also bounds how long a login may stay silent. Zero: no pings.
 * @param queueDepth        commands in flight per session (the CmdSN window), at least 1
 * @param workerThreads     threads running SCSI commands (the backstore may block them)
 * @param logoutGrace       how long close() waits for sessions to log out after asking
 */
public record IscsiSettings(String bindAddress, int port, int portalGroupTag, String advertisedHost,
                            Duration keepaliveInterval, int queueDepth, int workerThreads, Duration logoutGrace) {

    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(30);
    public static final int DEFAULT_QUEUE_DEPTH = 128;
    public static final Duration DEFAULT_LOGOUT_GRACE = Duration.ofSeconds(3);

    public IscsiSettings {
        if (portalGroupTag < 1 || portalGroupTag > 65535) {
            throw new IllegalArgumentException("portalGroupTag: " + portalGroupTag + " (expected: 1..65535)");
        }
        if (queueDepth < 1 || queueDepth > 65536) {
            throw new IllegalArgumentException("queueDepth: " + queueDepth + " (expected: 1..65536)");
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("workerThreads: " + workerThreads + " (expected: at least 1)");
        }
    }

    /** The four portal settings with defaults for the rest. */
    public IscsiSettings(String bindAddress, int port, int portalGroupTag, String advertisedHost) {
        this(bindAddress, port, portalGroupTag, advertisedHost, DEFAULT_KEEPALIVE, DEFAULT_QUEUE_DEPTH,
                defaultWorkerThreads(), DEFAULT_LOGOUT_GRACE);
    }

    public static IscsiSettings defaults() {
        return new IscsiSettings("0.0.0.0", 3260, 1, null);
    }

    public IscsiSettings withPort(int newPort) {
        return new IscsiSettings(bindAddress, newPort, portalGroupTag, advertisedHost, keepaliveInterval,
                queueDepth, workerThreads, logoutGrace);
    }

    public IscsiSettings withKeepaliveInterval(Duration interval) {
        return new IscsiSettings(bindAddress, port, portalGroupTag, advertisedHost, interval, queueDepth,
                workerThreads, logoutGrace);
    }

    public IscsiSettings withQueueDepth(int depth) {
        return new IscsiSettings(bindAddress, port, portalGroupTag, advertisedHost, keepaliveInterval, depth,
                workerThreads, logoutGrace);
    }

    public IscsiSettings withWorkerThreads(int threads) {
        return new IscsiSettings(bindAddress, port, portalGroupTag, advertisedHost, keepaliveInterval,
                queueDepth, threads, logoutGrace);
    }

    public IscsiSettings withLogoutGrace(Duration grace) {
        return new IscsiSettings(bindAddress, port, portalGroupTag, advertisedHost, keepaliveInterval,
                queueDepth, workerThreads, grace);
    }

    /**
     * O_DIRECT backstores block a worker per I/O, so more workers than cores keep the device
     * busy (16, like tgt's backing-store threads); more only add wake-ups on small machines.
     */
    static int defaultWorkerThreads() {
        return Math.max(16, Runtime.getRuntime().availableProcessors() * 4);
    }
}
