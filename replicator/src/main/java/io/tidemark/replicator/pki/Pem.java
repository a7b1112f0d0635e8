package io.tidemark.replicator.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM text of certificates and PKCS#8 private keys (Bouncy Castle's PEM reader and writer). */
final class Pem {

    static final String CERTIFICATE = "CERTIFICATE";
    static final String PRIVATE_KEY = "PRIVATE KEY";

    private Pem() {
    }

    static String encode(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory", e);
        }
        return out.toString();
    }

    static byte[] decode(String text, String expectedType, String what) throws IOException {
        try (PemReader reader = new PemReader(new StringReader(text))) {
            PemObject object = reader.readPemObject();
            if (object == null) {
                throw new IOException(what + ": no PEM block found");
            }
            if (!expectedType.equals(object.getType())) {
                throw new IOException(what + ": PEM block " + object.getType() + " (expected: " + expectedType + ")");
            }
            return object.getContent();
        }
    }

    static String certificate(X509Certificate cert) {
        try {
            return encode(CERTIFICATE, cert.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("certificate " + cert.getSubjectX500Principal() + " cannot be encoded", e);
        }
    }

    static X509Certificate parseCertificate(String text, String what) throws IOException {
        byte[] der = decode(text, CERTIFICATE, what);
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IOException(what + ": not an X.509 certificate: " + e.getMessage(), e);
        }
    }

    static PrivateKey parsePrivateKey(String text, String algorithm, String what) throws IOException {
        byte[] der = decode(text, PRIVATE_KEY, what);
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException(what + ": not a PKCS#8 " + algorithm + " private key: " + e.getMessage(), e);
        }
    }
}
