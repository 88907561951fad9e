package dev.whittle.api;

import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

import dev.whittle.worker.storage.StorageRoots;

/** Says where to go once the service is up: the API, Swagger UI, health, and where model folders belong. */
@Component
public class StartupUrls implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(StartupUrls.class);

    private final StorageRoots storage;

    public StartupUrls(StorageRoots storage) {
        this.storage = storage;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (!(event.getApplicationContext() instanceof WebServerApplicationContext web) || web.getWebServer() == null) {
            return;
        }
        String base = "http://localhost:" + web.getWebServer().getPort();
        log.info("""
                Whittle is ready
                  API:         {}/api/v1
                  Swagger UI:  {}/swagger-ui.html
                  Health:      {}/actuator/health
                  Model roots: {}""", base, base, base, storage.modelRoots().stream().map(Path::toString).toList());
    }
}
