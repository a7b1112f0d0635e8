package io.tidemark.appliance.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.metrics.ApplianceMetrics;
import io.tidemark.appliance.replication.Replication;
import io.tidemark.appliance.volume.VolumeCatalog;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.iscsi.SessionInfo;
import io.tidemark.iscsi.TargetRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin REST API (JSON under {@code /api/v1}) and {@code /metrics}. It may bind before the
 * appliance is serving: until {@link #serve} every route answers 503 (health included), so
 * {@code GET /api/v1/health} answers 200 only once volumes and portal are up. Volume changes
 * go through the catalog and are served at once. Thread-safe.
 */
public final class AdminApi implements AutoCloseable {

    public static final String PREFIX = "/api/v1";

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final Map<VolumeException.Reason, Integer> STATUS = Map.of(
            VolumeException.Reason.INVALID, 400,
            VolumeException.Reason.NOT_FOUND, 404,
            VolumeException.Reason.CONFLICT, 409,
            VolumeException.Reason.STORAGE, 500);

    /**
     * What the API serves.
     *
     * @param sessions the iSCSI server's session list
     * @param portal   where initiators reach the portal, for iSCSI URLs
     * @param replication peers, groups, checkpoints and views; null: those routes answer 503
     */
    public record Services(VolumeCatalog catalog, TargetRegistry registry, Supplier<List<SessionInfo>> sessions,
                           PortalAddress portal, ApplianceMetrics metrics, Replication replication) {

        /** Without replication (volume routes only). */
        public Services(VolumeCatalog catalog, TargetRegistry registry, Supplier<List<SessionInfo>> sessions,
                        PortalAddress portal, ApplianceMetrics metrics) {
            this(catalog, registry, sessions, portal, metrics, null);
        }
    }

    private final ApplianceConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final VolumeRequests requests = new VolumeRequests(json);
    private final byte[] token;
    private volatile Services services;
    private Javalin server;

    /** An API that answers 503 until {@link #serve} is called. */
    public AdminApi(ApplianceConfig config) {
        this.config = config;
        this.token = config.admin().requiredToken().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    /** An API serving these services from the start. */
    public AdminApi(ApplianceConfig config, Services services) {
        this(config);
        this.services = services;
    }

    /** Binds {@code admin.address:admin.port}; returns once listening. */
    public AdminApi start() {
        server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jsonMapper(new JavalinJackson(json, false));
            cfg.jetty.host = config.admin().address();
            cfg.jetty.port = config.admin().port();
            routes(cfg.routes);
        });
        server.start();
        if (token == null && !isLoopback(config.admin().address())) {
            LOG.warn("admin API on {}:{} without admin.token: whoever reaches it can create and delete volumes",
                    config.admin().address(), server.port());
        }
        return this;
    }

    /** From now on the API answers from these services. */
    public void serve(Services ready) {
        this.services = ready;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return new InetSocketAddress(config.admin().address(), server.port());
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }

    private void routes(RoutesConfig r) {
        r.before(this::authenticate);
        r.get(PREFIX + "/health", ctx -> {
            services();
            ctx.json(Map.of("status", "ok"));
        });
        r.get(PREFIX + "/volumes", ctx -> {
            Services s = services();
            ctx.json(s.catalog().list().stream().map(v -> VolumeView.of(v, s.portal())).toList());
        });
        r.get(PREFIX + "/volumes/{name}", ctx -> {
            Services s = services();
            ctx.json(VolumeView.of(s.catalog().get(ctx.pathParam("name")), s.portal()));
        });
        r.post(PREFIX + "/volumes", this::createVolume);
        r.patch(PREFIX + "/volumes/{name}", ctx -> {
            Services s = services();
            ctx.json(VolumeView.of(s.catalog().resize(ctx.pathParam("name"), requests.resize(ctx.body())), s.portal()));
        });
        r.delete(PREFIX + "/volumes/{name}", ctx -> {
            services().catalog().delete(ctx.pathParam("name"));
            ctx.status(204);
        });
        r.get(PREFIX + "/targets", ctx -> {
            Services s = services();
            ctx.json(s.registry().targets().stream()
                    .map(node -> TargetView.of(node, config.target(targetName(node.iqn())).allowedInitiators(), s.portal()))
                    .toList());
        });
        r.get(PREFIX + "/sessions", ctx -> ctx.json(services().sessions().get()));
        new ReplicationRoutes(json, this::replication).register(r);
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(services().metrics().scrape()));
        r.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        r.exception(VolumeException.class, (e, ctx) -> {
            int status = STATUS.get(e.reason());
            if (status >= 500) {
                LOG.error("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            }
            error(ctx, status, e.getMessage());
        });
        r.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
        r.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error: " + e);
        });
    }

    private Services services() {
        Services s = services;
        if (s == null) {
            throw new ApiException(503, "starting: volumes and the iSCSI portal are not up yet");
        }
        return s;
    }

    private Replication replication() {
        Replication r = services().replication();
        if (r == null) {
            throw new ApiException(503, "replication is not running on this appliance");
        }
        return r;
    }

    private void createVolume(Context ctx) {
        Services s = services();
        VolumeRequests.Create req = requests.create(ctx.body());
        VolumeView view = VolumeView.of(s.catalog().create(req.name(), req.sizeBytes(), req.target(), req.lun()), s.portal());
        ctx.status(201).header("Location", PREFIX + "/volumes/" + view.name()).json(view);
    }

    private void authenticate(Context ctx) {
        if (token == null || ctx.path().equals(PREFIX + "/health")) {
            return;
        }
        String header = ctx.header("Authorization");
        byte[] presented = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : null;
        if (presented == null || !MessageDigest.isEqual(presented, token)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, header == null ? "missing Authorization: Bearer <admin.token>"
                    : "wrong bearer token (expected: the admin.token of this appliance)");
        }
    }

    private String targetName(String iqn) {
        String prefix = config.iscsi().iqnPrefix() + ":";
        return iqn.startsWith(prefix) ? iqn.substring(prefix.length()) : iqn;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(new ErrorBody(message));
    }
}
