package io.tidemark.replicator.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This appliance's replication identity: an EC P-256 key pair and a self-signed X.509
 * certificate made with Bouncy Castle, kept as PEM files ({@value #CERTIFICATE_FILE},
 * {@value #KEY_FILE}, mode 600) in its directory. Peers pin the certificate's fingerprint;
 * there is no CA. Immutable and thread-safe.
 */
public final class Identity {

    private static final Logger LOG = LoggerFactory.getLogger(Identity.class);

    public static final String CERTIFICATE_FILE = "identity.crt";
    public static final String KEY_FILE = "identity.key";
    static final String KEY_ALGORITHM = "EC";
    static final String CURVE = "secp256r1";
    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    /** Pinned certificates are never chained to a CA, so a long validity only avoids surprise expiry. */
    static final Duration VALIDITY = Duration.ofDays(365L * 30);

    private final String name;
    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final String fingerprint;

    private Identity(String name, X509Certificate certificate, PrivateKey privateKey) {
        this.name = name;
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.fingerprint = Fingerprint.of(certificate);
    }

    /**
     * Loads the identity from {@code dir}, or creates the key pair and certificate there when the
     * directory holds neither file.
     */
    public static Identity loadOrCreate(Path dir, String applianceName) throws IOException {
        checkName(applianceName);
        Path certFile = dir.resolve(CERTIFICATE_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        boolean hasCert = Files.exists(certFile);
        boolean hasKey = Files.exists(keyFile);
        if (hasCert != hasKey) {
            throw new IOException("identity in " + dir + " is incomplete: " + (hasCert ? KEY_FILE : CERTIFICATE_FILE)
                    + " is missing (remove the other file to make a new identity; peers must then pair again)");
        }
        if (hasCert) {
            return load(applianceName, certFile, keyFile);
        }
        Identity created = generate(applianceName);
        SecureFiles.createPrivateDirectories(dir);
        SecureFiles.writeAtomically(keyFile, Pem.encode(Pem.PRIVATE_KEY, created.privateKey.getEncoded()), true);
        SecureFiles.writeAtomically(certFile, Pem.certificate(created.certificate), false);
        LOG.info("identity {}: created certificate {} in {}", applianceName, created.fingerprint, dir);
        return created;
    }

    /** A fresh identity kept in memory only (tests, tools). */
    public static Identity generate(String applianceName) {
        checkName(applianceName);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(KEY_ALGORITHM);
            generator.initialize(new ECGenParameterSpec(CURVE), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            return new Identity(applianceName, selfSign(applianceName, pair), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot create an " + CURVE + " identity for " + applianceName, e);
        }
    }

    private static Identity load(String applianceName, Path certFile, Path keyFile) throws IOException {
        if (SecureFiles.tooOpen(keyFile)) {
            LOG.warn("identity {}: {} was readable by others; restricting it to mode 600", applianceName, keyFile);
            SecureFiles.restrict(keyFile);
        }
        X509Certificate cert = Pem.parseCertificate(SecureFiles.read(certFile), certFile.toString());
        PrivateKey key = Pem.parsePrivateKey(SecureFiles.read(keyFile), KEY_ALGORITHM, keyFile.toString());
        checkKeyMatches(cert, key, keyFile);
        Identity identity = new Identity(applianceName, cert, key);
        LOG.info("identity {}: loaded certificate {}", applianceName, identity.fingerprint);
        return identity;
    }

    private static X509Certificate selfSign(String name, KeyPair pair)
            throws OperatorCreationException, GeneralSecurityException, IOException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Tidemark")
                .addRDN(BCStyle.CN, name)
                .build();
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, new SecureRandom());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial,
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        var signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(pair.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static void checkKeyMatches(X509Certificate cert, PrivateKey key, Path keyFile) throws IOException {
        byte[] probe = "tidemark identity check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature sign = Signature.getInstance(SIGNATURE_ALGORITHM);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(SIGNATURE_ALGORITHM);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            if (!verify.verify(signature)) {
                throw new IOException(keyFile + " does not belong to certificate " + Fingerprint.of(cert));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(keyFile + " cannot sign for certificate " + Fingerprint.of(cert) + ": " + e.getMessage(), e);
        }
    }

    static void checkName(String name) {
        PeerNames.check(name);
    }

    public String name() {
        return name;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** SHA-256 of the DER certificate, 64 lowercase hex digits. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public String toString() {
        return "Identity[" + name + ", " + fingerprint + "]";
    }
}
