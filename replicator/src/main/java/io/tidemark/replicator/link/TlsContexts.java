package io.tidemark.replicator.link;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.tidemark.replicator.pki.Identity;
import io.tidemark.replicator.pki.PinnedTrustManager;
import javax.net.ssl.SSLException;

/** TLS 1.3 only, JDK engine (AES-GCM intrinsics), mutual authentication, pinned trust. */
final class TlsContexts {

    static final String PROTOCOL = "TLSv1.3";

    private TlsContexts() {
    }

    static SslContext server(Identity identity) throws SSLException {
        return SslContextBuilder.forServer(identity.privateKey(), identity.certificate())
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOL)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(ClientCertificateCollector.INSTANCE)
                .build();
    }

    /** A client context that trusts only the certificate with {@code serverFingerprint}. */
    static SslContext client(Identity identity, String serverFingerprint) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOL)
                .keyManager(identity.privateKey(), identity.certificate())
                .trustManager(new PinnedTrustManager(serverFingerprint))
                // peers are identified by pinned certificates, not host names
                .endpointIdentificationAlgorithm(null)
                .build();
    }
}
