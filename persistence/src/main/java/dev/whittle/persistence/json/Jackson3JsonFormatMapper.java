package dev.whittle.persistence.json;

import java.lang.reflect.Type;

import org.hibernate.type.format.AbstractJsonFormatMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lets Hibernate read and write {@code jsonb} columns with Jackson 3 (Hibernate 7.2 itself only knows
 * Jackson 2), so entities hold {@code JsonNode}s, records, lists and maps of the same JSON the API speaks.
 */
public final class Jackson3JsonFormatMapper extends AbstractJsonFormatMapper {

    private final JsonMapper mapper;

    public Jackson3JsonFormatMapper(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected <T> T fromString(CharSequence json, Type type) {
        return mapper.readValue(json.toString(), mapper.constructType(type));
    }

    @Override
    protected <T> String toString(T value, Type type) {
        return mapper.writerFor(mapper.constructType(type)).writeValueAsString(value);
    }
}
