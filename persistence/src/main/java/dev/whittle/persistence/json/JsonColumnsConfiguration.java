package dev.whittle.persistence.json;

import org.hibernate.cfg.MappingSettings;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Plugs {@link Jackson3JsonFormatMapper} into Hibernate. */
@Configuration(proxyBeanMethods = false)
public class JsonColumnsConfiguration {

    @Bean
    HibernatePropertiesCustomizer jackson3JsonColumns() {
        JsonMapper mapper = JsonMapper.builder().build();
        return properties -> properties.put(MappingSettings.JSON_FORMAT_MAPPER, new Jackson3JsonFormatMapper(mapper));
    }
}
