package io.tidemark.replicator.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {

    @TempDir
    Path dir;

    @Test
    void createsKeyPairAndSelfSignedCertificateAsPemWithPrivateKeyMode600() throws Exception {
        Identity identity = Identity.loadOrCreate(dir.resolve("identity"), "primary-1");

        Path key = dir.resolve("identity").resolve(Identity.KEY_FILE);
        Path cert = dir.resolve("identity").resolve(Identity.CERTIFICATE_FILE);
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(identity.name()).isEqualTo("primary-1");
        assertThat(identity.certificate().getSubjectX500Principal().getName()).contains("CN=primary-1");
        assertThat(identity.certificate().getIssuerX500Principal()).isEqualTo(identity.certificate().getSubjectX500Principal());
        identity.certificate().verify(identity.certificate().getPublicKey());
        assertThat(identity.privateKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void fingerprintIsSha256HexOfTheDerCertificate() throws Exception {
        Identity identity = Identity.generate("a");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.certificate().getEncoded());

        assertThat(identity.fingerprint()).isEqualTo(HexFormat.of().formatHex(digest)).hasSize(64);
        assertThat(identity.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void reloadsTheSameIdentityInsteadOfMakingANewOne() throws Exception {
        Identity first = Identity.loadOrCreate(dir, "dr");
        Identity second = Identity.loadOrCreate(dir, "dr");

        assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
        assertThat(second.privateKey().getEncoded()).isEqualTo(first.privateKey().getEncoded());
    }

    @Test
    void tightensAPrivateKeyFileThatOthersCanRead() throws Exception {
        Identity.loadOrCreate(dir, "dr");
        Path key = dir.resolve(Identity.KEY_FILE);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        Identity.loadOrCreate(dir, "dr");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }

    @Test
    void refusesAnIdentityDirectoryWithOnlyOneOfTheTwoFiles() throws Exception {
        Identity.loadOrCreate(dir, "dr");
        Files.delete(dir.resolve(Identity.KEY_FILE));

        assertThatThrownBy(() -> Identity.loadOrCreate(dir, "dr"))
                .isInstanceOf(IOException.class).hasMessageContaining(Identity.KEY_FILE);
    }

    @Test
    void refusesAKeyThatDoesNotBelongToTheCertificate() throws Exception {
        Identity.loadOrCreate(dir.resolve("one"), "dr");
        Identity.loadOrCreate(dir.resolve("two"), "dr");
        Files.copy(dir.resolve("two").resolve(Identity.KEY_FILE), dir.resolve("one").resolve(Identity.KEY_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> Identity.loadOrCreate(dir.resolve("one"), "dr"))
                .isInstanceOf(IOException.class).hasMessageContaining("does not belong");
    }

    @Test
    void rejectsNamesThatAreNotPlainWords() {
        assertThatThrownBy(() -> Identity.generate("has space")).hasMessageContaining("'has space'");
        assertThatThrownBy(() -> Identity.generate("")).hasMessageContaining("expected: 1..64");
        assertThatThrownBy(() -> Identity.generate("x".repeat(65))).hasMessageContaining("expected: 1..64");
    }
}
