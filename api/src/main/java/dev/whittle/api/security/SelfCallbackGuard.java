package dev.whittle.api.security;

import dev.whittle.worker.callback.CallbackPolicy;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/** Once the API listens, callbacks to its port on this machine are refused: a job's callback must not drive the API. */
@Component
public class SelfCallbackGuard implements ApplicationListener<WebServerInitializedEvent> {

    private final CallbackPolicy callbacks;

    public SelfCallbackGuard(CallbackPolicy callbacks) {
        this.callbacks = callbacks;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        callbacks.refuseOwnPort(event.getWebServer().getPort());
    }
}
