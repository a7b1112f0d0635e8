package io.tidemark.appliance.api;

import io.tidemark.appliance.config.ApplianceConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * Where initiators reach the iSCSI portal, as written into iSCSI URLs
 * ({@code iscsi://HOST:PORT/<target iqn>/<lun>}).
 */
public record PortalAddress(String host, int port) {

    /**
     * The advertised host when configured; else the bound address; else, when bound to every
     * interface, the first non-loopback IPv4 address of this machine (loopback when none).
     */
    public static PortalAddress of(ApplianceConfig.Iscsi iscsi, InetSocketAddress bound) {
        int port = bound != null ? bound.getPort() : iscsi.port();
        if (iscsi.advertisedHost() != null) {
            return new PortalAddress(iscsi.advertisedHost(), port);
        }
        InetAddress address = bound != null ? bound.getAddress() : null;
        if (address == null || address.isAnyLocalAddress()) {
            return new PortalAddress(localAddress(iscsi.address()), port);
        }
        return new PortalAddress(address.getHostAddress(), port);
    }

    public String url(String targetIqn, int lun) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "iscsi://" + h + ":" + port + "/" + targetIqn + "/" + lun;
    }

    private static String localAddress(String configured) {
        try {
            InetAddress bind = InetAddress.getByName(configured);
            if (!bind.isAnyLocalAddress()) {
                return bind.getHostAddress();
            }
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address || (bind instanceof Inet6Address && !a.isLinkLocalAddress())) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException | java.net.UnknownHostException e) {
            // fall through to loopback: URLs stay usable on this machine
        }
        return "127.0.0.1";
    }
}
