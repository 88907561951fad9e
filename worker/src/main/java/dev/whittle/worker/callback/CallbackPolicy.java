package dev.whittle.worker.callback;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Stream;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Which callback URLs are acceptable: http or https, with a secret to sign with, whose host resolves only to
 * addresses the allow-list resolves to, on a port it allows; never the service itself. Checked at submission and
 * again right before each delivery, after the name is resolved anew (a name that now resolves elsewhere is refused).
 */
@Component
@EnableConfigurationProperties(CallbackProperties.class)
public class CallbackPolicy {

    private final CallbackProperties properties;
    private final List<CallbackTarget> allowed;
    private final List<CallbackTarget> refused;
    /** The ports this process serves HTTP on (the API's), never called back on a local address. */
    private final Set<Integer> ownPorts = new CopyOnWriteArraySet<>();

    public CallbackPolicy(CallbackProperties properties) {
        this.properties = properties;
        this.allowed = Stream.concat(properties.allowed().stream(), properties.allowedHosts().stream())
                .filter(s -> !s.isBlank()).map(CallbackTarget::parse).toList();
        this.refused = properties.refused().stream().filter(s -> !s.isBlank()).map(CallbackTarget::parse).toList();
    }

    /** Refuses callbacks to {@code port} on this machine's addresses: the API calls this once it listens. */
    public void refuseOwnPort(int port) {
        ownPorts.add(port);
    }

    /** What is wrong with {@code url} as a callback, or empty when it is acceptable. Resolves its host. */
    public Optional<String> problem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getUserInfo() != null) {
            return Optional.of("must name a host (and no user info)");
        }
        if (properties.secret() == null || properties.secret().isBlank()) {
            return Optional.of("callbacks are disabled until whittle.callbacks.secret is set");
        }
        int port = CallbackTarget.effectivePort(uri);
        List<InetAddress> addresses;
        try {
            addresses = resolve(uri.getHost());
        } catch (UnknownHostException e) {
            return Optional.of("host '" + uri.getHost() + "' does not resolve");
        }
        if (isOwnAddress(addresses, port) || refused.stream().anyMatch(t -> t.portMatches(port) && within(addresses, t))) {
            return Optional.of("'" + uri.getHost() + ":" + port + "' is this service (or refused by whittle.callbacks.refused)");
        }
        boolean allowedHere = allowed.stream().anyMatch(t -> t.portMatches(port) && t.prefixMatches(url) && within(addresses, t));
        if (!allowedHere) {
            return Optional.of("'" + uri.getHost() + ":" + port + "' (" + addresses.stream().map(InetAddress::getHostAddress)
                    .toList() + ") is not allowed (whittle.callbacks.allowed: " + Stream.concat(properties.allowed().stream(),
                    properties.allowedHosts().stream()).toList() + ")");
        }
        return Optional.empty();
    }

    /** Whether every address in {@code addresses} is one {@code target}'s host resolves to. */
    private static boolean within(List<InetAddress> addresses, CallbackTarget target) {
        try {
            List<InetAddress> permitted = resolve(target.host());
            return permitted.containsAll(addresses);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private boolean isOwnAddress(List<InetAddress> addresses, int port) {
        return ownPorts.contains(port) && addresses.stream().anyMatch(CallbackPolicy::isLocal);
    }

    private static boolean isLocal(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return true; // cannot tell: refuse rather than risk calling ourselves
        }
    }

    /** The addresses of {@code host}, IPv4-mapped IPv6 addresses as their IPv4 ones. */
    private static List<InetAddress> resolve(String host) throws UnknownHostException {
        return Arrays.stream(InetAddress.getAllByName(host)).map(CallbackPolicy::unmapped).distinct().toList();
    }

    private static InetAddress unmapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException impossible) {
                    return a;
                }
            }
        }
        return a;
    }
}
