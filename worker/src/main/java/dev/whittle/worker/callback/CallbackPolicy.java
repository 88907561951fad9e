package dev.whittle.worker.callback;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/** Which callback URLs are acceptable: http or https, to a host on the allow-list, with a secret to sign with. */
@Component
@EnableConfigurationProperties(CallbackProperties.class)
public class CallbackPolicy {

    private final CallbackProperties properties;

    public CallbackPolicy(CallbackProperties properties) {
        this.properties = properties;
    }

    /** What is wrong with {@code url} as a callback, or empty when it is acceptable. */
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
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (properties.allowedHosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).noneMatch(host::equals)) {
            return Optional.of("host '" + uri.getHost() + "' is not allowed (whittle.callbacks.allowed-hosts: "
                    + properties.allowedHosts() + ")");
        }
        if (properties.secret() == null || properties.secret().isBlank()) {
            return Optional.of("callbacks are disabled until whittle.callbacks.secret is set");
        }
        return Optional.empty();
    }
}
