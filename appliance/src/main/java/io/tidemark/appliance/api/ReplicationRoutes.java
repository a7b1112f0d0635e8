package io.tidemark.appliance.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.tidemark.appliance.replication.Replication;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The peer, group, checkpoint, point and view routes of the admin API, answered by the
 * appliance's {@link Replication}. Thread-safe.
 */
final class ReplicationRoutes {

    private final Supplier<Replication> replication;
    private final ReplicationRequests requests;

    ReplicationRoutes(ObjectMapper json, Supplier<Replication> replication) {
        this.replication = replication;
        this.requests = new ReplicationRequests(json);
    }

    void register(RoutesConfig r) {
        String p = AdminApi.PREFIX;
        r.post(p + "/peers/token", ctx -> ctx.status(201).json(replication.get().issueToken()));
        r.post(p + "/peers", ctx -> {
            ReplicationRequests.Pair req = requests.pair(ctx.body());
            PeerView peer = replication.get().pair(req.name(), req.address(), req.token());
            ctx.status(201).header("Location", p + "/peers/" + peer.name()).json(peer);
        });
        r.get(p + "/peers", ctx -> ctx.json(replication.get().peers()));
        r.delete(p + "/peers/{name}", ctx -> {
            replication.get().revoke(ctx.pathParam("name"));
            ctx.status(204);
        });

        r.post(p + "/groups", ctx -> {
            ReplicationRequests.CreateGroup req = requests.createGroup(ctx.body());
            GroupView group = replication.get().createGroup(req.name(), req.volumes());
            ctx.status(201).header("Location", p + "/groups/" + group.name()).json(group);
        });
        r.get(p + "/groups", ctx -> ctx.json(replication.get().groups()));
        r.get(p + "/groups/{name}", ctx -> ctx.json(replication.get().group(ctx.pathParam("name"))));
        r.post(p + "/groups/{name}/protect", ctx -> {
            ReplicationRequests.Protect req = requests.protect(ctx.body());
            ctx.json(replication.get().protect(ctx.pathParam("name"), req.peer(), req.mode()));
        });
        r.post(p + "/groups/{name}/checkpoints", ctx -> ctx.status(201)
                .json(replication.get().checkpoint(ctx.pathParam("name"), requests.checkpoint(ctx.body()))));
        r.get(p + "/groups/{name}/points", this::points);

        r.post(p + "/views", ctx -> {
            ReplicationRequests.Export req = requests.export(ctx.body());
            ViewInfo view = replication.get().export(req.group(), req.at(), req.checkpoint(), req.seq());
            ctx.status(201).header("Location", p + "/views/" + view.view()).json(view);
        });
        r.get(p + "/views", ctx -> ctx.json(replication.get().views()));
        r.delete(p + "/views/{view}", ctx -> {
            replication.get().release(ctx.pathParam("view"));
            ctx.status(204);
        });
    }

    private void points(Context ctx) {
        String from = ctx.queryParam("from");
        String to = ctx.queryParam("to");
        Instant f = from == null || from.isBlank() ? null : ReplicationRequests.instant("from", from);
        Instant t = to == null || to.isBlank() ? null : ReplicationRequests.instant("to", to);
        if (f != null && t != null && f.isAfter(t)) {
            throw new ApiException(400, "from: " + from + " is after to: " + to + " (expected: from <= to)");
        }
        ctx.json(replication.get().points(ctx.pathParam("name"), f, t));
    }
}
