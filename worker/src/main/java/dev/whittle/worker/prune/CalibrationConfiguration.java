package dev.whittle.worker.prune;

import dev.whittle.engine.prune.CalibrationSampler;
import dev.whittle.lab.corpus.KnowledgeCalibration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * The built-in calibration sets a PRUNE may name: the engine's shipped {@code natural-english} and the reference
 * corpus's {@code knowledge}, made in memory. Neither is fetched at job time.
 */
@Configuration(proxyBeanMethods = false)
public class CalibrationConfiguration {

    @Bean
    CalibrationSampler calibrationSampler() {
        return new CalibrationSampler(List.of(new KnowledgeCalibration()));
    }
}
