package io.tidemark.replicator.pki;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, named by its fingerprint: no CA, no host name check
 * (peers are identified by their pinned certificate, not by DNS). Immutable and thread-safe.
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {

    /** The server presented another certificate than the pinned one. */
    public static final class PinMismatchException extends CertificateException {
        private final String presented;

        PinMismatchException(String presented, String expected) {
            super("peer certificate " + presented + " is not the pinned " + expected);
            this.presented = presented;
        }

        public String presented() {
            return presented;
        }
    }

    private final String fingerprint;

    public PinnedTrustManager(String fingerprint) {
        if (!Fingerprint.isWellFormed(fingerprint)) {
            throw new IllegalArgumentException("pinned fingerprint: '" + fingerprint + "' (expected: 64 lowercase hex digits)");
        }
        this.fingerprint = fingerprint;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("peer presented no certificate (expected: " + fingerprint + ")");
        }
        String presented = Fingerprint.of(chain[0]);
        if (!presented.equals(fingerprint)) {
            throw new PinMismatchException(presented, fingerprint);
        }
        chain[0].checkValidity();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
