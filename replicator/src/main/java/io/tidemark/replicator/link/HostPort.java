package io.tidemark.replicator.link;

import java.net.InetSocketAddress;

/** Parses "host:port" and "[v6]:port" peer addresses. */
final class HostPort {

    private HostPort() {
    }

    static InetSocketAddress parse(String hostPort) {
        if (hostPort == null || hostPort.isBlank()) {
            throw new IllegalArgumentException("peer address: '" + hostPort + "' (expected: host:port)");
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("peer address: '" + hostPort + "' (expected: host:port)");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("peer address port: '" + hostPort.substring(colon + 1) + "' (expected: 1..65535)");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
