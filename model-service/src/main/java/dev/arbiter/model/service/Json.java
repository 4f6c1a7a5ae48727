package dev.arbiter.model.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/** The JSON columns of the registry. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T read(String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable registry column: " + e.getOriginalMessage(), e);
        }
    }

    static List<String> strings(String json) {
        return read(json, new TypeReference<>() {});
    }

    static Map<String, String> stringMap(String json) {
        return read(json, new TypeReference<>() {});
    }

    static Map<String, Double> doubleMap(String json) {
        return read(json, new TypeReference<>() {});
    }
}
