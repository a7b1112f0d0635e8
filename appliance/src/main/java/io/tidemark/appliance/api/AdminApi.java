package io.tidemark.appliance.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.tidemark.appliance.config.ApplianceConfig;
import io.tidemark.appliance.metrics.ApplianceMetrics;
import io.tidemark.appliance.volume.VolumeCatalog;
import io.tidemark.appliance.volume.VolumeException;
import io.tidemark.iscsi.SessionInfo;
import io.tidemark.iscsi.TargetRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin REST API (JSON under {@code /api/v1}) and {@code /metrics}. Volume changes go
 * through the catalog and are served at once. Thread-safe.
 */
public final class AdminApi implements AutoCloseable {

    public static final String PREFIX = "/api/v1";

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final Map<VolumeException.Reason, Integer> STATUS = Map.of(
            VolumeException.Reason.INVALID, 400,
            VolumeException.Reason.NOT_FOUND, 404,
            VolumeException.Reason.CONFLICT, 409,
            VolumeException.Reason.STORAGE, 500);

    private final ApplianceConfig config;
    private final VolumeCatalog catalog;
    private final TargetRegistry registry;
    private final Supplier<List<SessionInfo>> sessions;
    private final Supplier<PortalAddress> portal;
    private final ApplianceMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();
    private final VolumeRequests requests = new VolumeRequests(json);
    private final byte[] token;
    private Javalin server;

    /**
     * @param sessions the iSCSI server's session list
     * @param portal   where initiators reach the portal (read per request: known once the portal is bound)
     */
    public AdminApi(ApplianceConfig config, VolumeCatalog catalog, TargetRegistry registry,
                    Supplier<List<SessionInfo>> sessions, Supplier<PortalAddress> portal, ApplianceMetrics metrics) {
        this.config = config;
        this.catalog = catalog;
        this.registry = registry;
        this.sessions = sessions;
        this.portal = portal;
        this.metrics = metrics;
        this.token = config.admin().requiredToken().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    /** Binds {@code admin.address:admin.port} and serves; returns once listening. */
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
        return this;
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
        r.get(PREFIX + "/health", ctx -> ctx.json(Map.of("status", "ok")));
        r.get(PREFIX + "/volumes", ctx -> ctx.json(catalog.list().stream().map(v -> VolumeView.of(v, portal.get())).toList()));
        r.get(PREFIX + "/volumes/{name}", ctx -> ctx.json(VolumeView.of(catalog.get(ctx.pathParam("name")), portal.get())));
        r.post(PREFIX + "/volumes", this::createVolume);
        r.patch(PREFIX + "/volumes/{name}", ctx -> ctx.json(VolumeView.of(
                catalog.resize(ctx.pathParam("name"), requests.resize(ctx.body())), portal.get())));
        r.delete(PREFIX + "/volumes/{name}", ctx -> {
            catalog.delete(ctx.pathParam("name"));
            ctx.status(204);
        });
        r.get(PREFIX + "/targets", ctx -> ctx.json(registry.targets().stream()
                .map(node -> TargetView.of(node, config.target(targetName(node.iqn())).allowedInitiators(), portal.get()))
                .toList()));
        r.get(PREFIX + "/sessions", ctx -> ctx.json(sessions.get()));
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
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

    private void createVolume(Context ctx) {
        VolumeRequests.Create req = requests.create(ctx.body());
        VolumeView view = VolumeView.of(catalog.create(req.name(), req.sizeBytes(), req.target(), req.lun()), portal.get());
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

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(new ErrorBody(message));
    }
}
