package io.tidemark.replicator.pki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pinned peers of this appliance, kept in {@value #FILE} in its directory (rewritten
 * atomically on every change). A name and a fingerprint each identify at most one peer.
 * Revocation listeners let live connections of a revoked (or replaced) peer be dropped.
 * Thread-safe.
 */
public final class PeerStore {

    private static final Logger LOG = LoggerFactory.getLogger(PeerStore.class);
    public static final String FILE = "peers.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Clock clock;
    private final Map<String, Peer> byName = new LinkedHashMap<>();
    private final List<Consumer<Peer>> revocationListeners = new CopyOnWriteArrayList<>();

    private PeerStore(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** Opens (or creates) the store in {@code dir}. */
    public static PeerStore open(Path dir) throws IOException {
        return open(dir, Clock.systemUTC());
    }

    public static PeerStore open(Path dir, Clock clock) throws IOException {
        SecureFiles.createPrivateDirectories(dir);
        PeerStore store = new PeerStore(dir.resolve(FILE), clock);
        store.load();
        return store;
    }

    public synchronized List<Peer> list() {
        List<Peer> peers = new ArrayList<>(byName.values());
        peers.sort(Comparator.comparing(Peer::name));
        return peers;
    }

    public synchronized Optional<Peer> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public synchronized Optional<Peer> byFingerprint(String fingerprint) {
        return byName.values().stream().filter(p -> p.fingerprint().equals(fingerprint)).findFirst();
    }

    /**
     * Pins {@code certificate} under {@code name}. Replaces a peer of the same name or the same
     * certificate; when the certificate of a name changes, or a certificate moves to another name,
     * the replaced entry is reported to the revocation listeners so its connections are dropped.
     */
    public Peer pin(String name, String address, X509Certificate certificate) throws IOException {
        Identity.checkName(name);
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(certificate, "certificate");
        String fingerprint = Fingerprint.of(certificate);
        Peer peer = new Peer(name, address, fingerprint, certificate, clock.instant());
        List<Peer> replaced = new ArrayList<>();
        synchronized (this) {
            Map<String, Peer> before = new LinkedHashMap<>(byName);
            byName.values().removeIf(p -> {
                boolean conflicting = p.name().equals(name) != p.fingerprint().equals(fingerprint);
                boolean sameName = p.name().equals(name);
                if (conflicting) {
                    replaced.add(p);
                }
                return conflicting || sameName;
            });
            byName.put(name, peer);
            try {
                save();
            } catch (IOException e) {
                byName.clear();
                byName.putAll(before);
                throw e;
            }
        }
        LOG.info("peer {}: pinned certificate {}{}", name, fingerprint, address.isEmpty() ? "" : " at " + address);
        replaced.forEach(this::notifyRevoked);
        return peer;
    }

    /** Forgets the peer; its live connections are closed by the listeners. False when unknown. */
    public boolean revoke(String name) throws IOException {
        Peer removed;
        synchronized (this) {
            removed = byName.remove(name);
            if (removed == null) {
                return false;
            }
            try {
                save();
            } catch (IOException e) {
                byName.put(name, removed);
                throw e;
            }
        }
        LOG.info("peer {}: revoked certificate {}", name, removed.fingerprint());
        notifyRevoked(removed);
        return true;
    }

    /** {@code listener} is called (on the revoking thread) with each peer revoked or replaced. */
    public void addRevocationListener(Consumer<Peer> listener) {
        revocationListeners.add(Objects.requireNonNull(listener));
    }

    public void removeRevocationListener(Consumer<Peer> listener) {
        revocationListeners.remove(listener);
    }

    private void notifyRevoked(Peer peer) {
        for (Consumer<Peer> listener : revocationListeners) {
            try {
                listener.accept(peer);
            } catch (RuntimeException e) {
                LOG.error("peer {}: revocation listener failed", peer.name(), e);
            }
        }
    }

    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        JsonNode root = JSON.readTree(SecureFiles.read(file));
        for (JsonNode entry : root.path("peers")) {
            String name = entry.path("name").asText();
            X509Certificate cert = Pem.parseCertificate(entry.path("certificate").asText(), file + " peer " + name);
            Peer peer = new Peer(name, entry.path("address").asText(""), Fingerprint.of(cert), cert,
                    Instant.parse(entry.path("pairedAt").asText()));
            byName.put(name, peer);
        }
        LOG.info("peer store {}: {} pinned peer(s)", file, byName.size());
    }

    private void save() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode peers = root.putArray("peers");
        for (Peer p : byName.values()) {
            ObjectNode entry = peers.addObject();
            entry.put("name", p.name());
            entry.put("address", p.address());
            entry.put("fingerprint", p.fingerprint());
            entry.put("pairedAt", p.pairedAt().toString());
            entry.put("certificate", Pem.certificate(p.certificate()));
        }
        SecureFiles.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root), true);
    }
}
