package io.tidemark.iscsi.session;

import io.netty.buffer.ByteBuf;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.login.TextKeys;
import io.tidemark.iscsi.pdu.Bhs;
import io.tidemark.iscsi.pdu.Pdu;
import io.tidemark.iscsi.pdu.RejectPdu;
import io.tidemark.iscsi.pdu.TextPdu;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text requests in full feature phase (RFC 7143 sections 11.10-11): SendTargets=All in a
 * discovery session lists every target the initiator may log in to, SendTargets= or
 * SendTargets=&lt;iqn&gt; one target; other keys are NotUnderstood. An answer longer than
 * the initiator's MaxRecvDataSegmentLength goes out in pieces, each fetched by an empty
 * Text Request carrying our Target Transfer Tag. Not thread-safe: runs on the connection's
 * event loop.
 */
final class TextExchange {

    private final Session session;
    private final IscsiConnection connection;
    private ByteBuf rest;
    private int restTtt;

    TextExchange(Session session) {
        this.session = session;
        this.connection = session.connection();
    }

    void onRequest(Pdu pdu) {
        try {
            ByteBuf bhs = pdu.bhs();
            int ttt = TextPdu.ttt(bhs);
            long lun = Bhs.lun(bhs);
            if (pdu.defect() != Pdu.Defect.NONE || TextPdu.continues(bhs)) {
                connection.reject(pdu.defect() == Pdu.Defect.DATA_DIGEST ? RejectPdu.DATA_DIGEST_ERROR
                        : RejectPdu.PROTOCOL_ERROR, bhs);
                return;
            }
            if (ttt != Bhs.RESERVED_TAG && rest != null && ttt == restTtt) {
                sendPiece(pdu.itt(), lun);
                return;
            }
            dropRest();
            Map<String, String> keys;
            try {
                keys = TextKeys.parse(pdu.data());
            } catch (TextKeys.MalformedTextException e) {
                connection.reject(RejectPdu.PROTOCOL_ERROR, bhs);
                return;
            }
            List<Map.Entry<String, String>> answer = new ArrayList<>();
            keys.forEach((k, v) -> {
                if (k.equals("SendTargets")) {
                    sendTargets(v, answer);
                } else {
                    answer.add(Map.entry(k, "NotUnderstood"));
                }
            });
            rest = TextKeys.encodePairs(connection.alloc(), answer);
            sendPiece(pdu.itt(), lun);
        } finally {
            pdu.release();
        }
    }

    private void sendTargets(String which, List<Map.Entry<String, String>> answer) {
        String address = address();
        for (TargetNode t : connection.context().registry().targets()) {
            boolean wanted = switch (which) {
                case "All" -> session.target() == null || session.target() == t;
                case "" -> session.target() == t;
                default -> t.iqn().equals(which);
            };
            if (wanted && t.allows(session.initiatorName())) {
                answer.add(Map.entry("TargetName", t.iqn()));
                answer.add(Map.entry("TargetAddress", address));
            }
        }
    }

    /** host:port,tpgt with the advertised host, else the address the initiator reached us at. */
    private String address() {
        InetSocketAddress local = connection.localAddress();
        String host = connection.context().settings().advertisedHost();
        if (host == null || host.isEmpty()) {
            host = local.getAddress() instanceof Inet6Address ? "[" + local.getAddress().getHostAddress() + "]"
                    : local.getAddress().getHostAddress();
        }
        return host + ":" + local.getPort() + "," + connection.context().settings().portalGroupTag();
    }

    private void sendPiece(int itt, long lun) {
        int max = session.parameters().initiatorMaxRecvDataSegmentLength();
        if (rest.readableBytes() <= max) {
            connection.send(TextPdu.response(connection.alloc(), lun, itt, Bhs.RESERVED_TAG, false, rest));
            rest = null;
        } else {
            restTtt = session.nextTargetTransferTag();
            connection.send(TextPdu.response(connection.alloc(), lun, itt, restTtt, true, rest.readRetainedSlice(max)));
        }
        connection.flushSoon();
    }

    void dropRest() {
        if (rest != null) {
            rest.release();
            rest = null;
        }
    }
}
