package dev.whittle.worker.run;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/** How long stages take, by stage type and outcome ({@code whittle.stage.duration}). */
@Component
public class StageMetrics {

    private final MeterRegistry registry;

    public StageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String stageType, String outcome, Duration duration) {
        Timer.builder("whittle.stage.duration")
                .description("Time a stage of a job took to run")
                .tag("type", stageType)
                .tag("outcome", outcome)
                .register(registry)
                .record(duration);
    }
}
