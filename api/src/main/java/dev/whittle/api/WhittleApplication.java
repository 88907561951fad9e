package dev.whittle.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Whittle service: REST API, and by default an in-process worker. */
@SpringBootApplication(scanBasePackages = "dev.whittle")
public class WhittleApplication {
    public static void main(String[] args) {
        SpringApplication.run(WhittleApplication.class, args);
    }
}
