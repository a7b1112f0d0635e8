package io.tidemark.replicator.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerStoreTest {

    @TempDir
    Path dir;

    private final Identity dr = Identity.generate("dr");
    private final Identity other = Identity.generate("other");

    @Test
    void pinnedPeersSurviveReopening() throws Exception {
        PeerStore store = PeerStore.open(dir);
        Peer pinned = store.pin("dr", "10.0.0.2:3270", dr.certificate());

        PeerStore reopened = PeerStore.open(dir);

        assertThat(reopened.list()).hasSize(1);
        Peer loaded = reopened.get("dr").orElseThrow();
        assertThat(loaded.address()).isEqualTo("10.0.0.2:3270");
        assertThat(loaded.fingerprint()).isEqualTo(dr.fingerprint());
        assertThat(loaded.certificate()).isEqualTo(dr.certificate());
        assertThat(loaded.pairedAt()).isEqualTo(pinned.pairedAt());
        assertThat(reopened.byFingerprint(dr.fingerprint())).contains(loaded);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(PeerStore.FILE)))).isEqualTo("rw-------");
    }

    @Test
    void revokeForgetsThePeerDurablyAndTellsTheListeners() throws Exception {
        PeerStore store = PeerStore.open(dir);
        store.pin("dr", "", dr.certificate());
        List<Peer> revoked = new CopyOnWriteArrayList<>();
        store.addRevocationListener(revoked::add);

        assertThat(store.revoke("dr")).isTrue();
        assertThat(store.revoke("dr")).isFalse();

        assertThat(revoked).extracting(Peer::fingerprint).containsExactly(dr.fingerprint());
        assertThat(store.get("dr")).isEmpty();
        assertThat(store.byFingerprint(dr.fingerprint())).isEmpty();
        assertThat(PeerStore.open(dir).list()).isEmpty();
    }

    @Test
    void pinningANewCertificateUnderAKnownNameRevokesTheOldOne() throws Exception {
        PeerStore store = PeerStore.open(dir);
        store.pin("dr", "", dr.certificate());
        List<Peer> revoked = new CopyOnWriteArrayList<>();
        store.addRevocationListener(revoked::add);

        store.pin("dr", "h:1", other.certificate());

        assertThat(revoked).extracting(Peer::fingerprint).containsExactly(dr.fingerprint());
        assertThat(store.byFingerprint(dr.fingerprint())).isEmpty();
        assertThat(store.get("dr").orElseThrow().fingerprint()).isEqualTo(other.fingerprint());
    }

    @Test
    void repinningTheSameCertificateUpdatesTheAddressWithoutRevoking() throws Exception {
        PeerStore store = PeerStore.open(dir);
        store.pin("dr", "", dr.certificate());
        List<Peer> revoked = new CopyOnWriteArrayList<>();
        store.addRevocationListener(revoked::add);

        store.pin("dr", "h:2", dr.certificate());

        assertThat(revoked).isEmpty();
        assertThat(store.list()).singleElement().extracting(Peer::address).isEqualTo("h:2");
    }

    @Test
    void aCertificateIsPinnedUnderOneNameOnly() throws Exception {
        PeerStore store = PeerStore.open(dir);
        store.pin("old-name", "", dr.certificate());

        store.pin("new-name", "", dr.certificate());

        assertThat(store.list()).extracting(Peer::name).containsExactly("new-name");
    }
}
