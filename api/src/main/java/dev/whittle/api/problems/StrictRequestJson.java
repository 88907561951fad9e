package dev.whittle.api.problems;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;

/**
 * Request bodies with a key given twice ({@code {"name":"a","name":"b"}}) are refused rather than read as the last:
 * which value a client meant is unknowable. Types are checked after, by {@code StrictJson}.
 */
@Configuration
public class StrictRequestJson {

    @Bean
    JsonMapperBuilderCustomizer refuseDuplicateKeys() {
        return builder -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    }
}
