package dev.whittle.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A worker on its own: claims queued jobs from the shared database and runs them. */
@SpringBootApplication(scanBasePackages = "dev.whittle")
public class WorkerApplication {
    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }
}
