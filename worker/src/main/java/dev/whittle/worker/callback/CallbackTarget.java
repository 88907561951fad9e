package dev.whittle.worker.callback;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * One entry of the callback allow-list (or refuse-list): {@code host:port}, {@code host:*}, {@code [v6]:port}, a bare
 * host (any port), or a URL prefix ({@code https://host[:port]/path}), which also fixes the scheme and the path.
 *
 * @param host   the host as written (a name or an address)
 * @param port   the port, or -1 for any
 * @param prefix the URL prefix a callback must start with, or null
 */
record CallbackTarget(String host, int port, String prefix) {

    static CallbackTarget parse(String entry) {
        String e = entry.strip();
        if (e.contains("://")) {
            try {
                URI uri = new URI(e);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("callback allow-list entry '" + entry + "' names no host");
                }
                return new CallbackTarget(uri.getHost(), effectivePort(uri), e.toLowerCase(Locale.ROOT));
            } catch (URISyntaxException bad) {
                throw new IllegalArgumentException("callback allow-list entry '" + entry + "' is not a URL", bad);
            }
        }
        int colon = e.lastIndexOf(':');
        boolean bracketed = e.startsWith("[");
        if (colon < 0 || (bracketed ? colon < e.indexOf(']') : e.indexOf(':') != colon)) {
            return new CallbackTarget(unbracket(e), -1, null); // a bare host (or IPv6 address): any port
        }
        String port = e.substring(colon + 1);
        return new CallbackTarget(unbracket(e.substring(0, colon)), port.equals("*") ? -1 : Integer.parseInt(port), null);
    }

    /** The port a URL connects to: its own, or its scheme's. */
    static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    boolean portMatches(int p) {
        return port < 0 || port == p;
    }

    /** Whether {@code url} starts with this entry's prefix (true for entries without one). */
    boolean prefixMatches(String url) {
        return prefix == null || url.toLowerCase(Locale.ROOT).startsWith(prefix);
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
