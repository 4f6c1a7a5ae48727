package dev.arbiter.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * values.schema.json is strict and documented: every object refuses keys it does not name, every value has a
 * description, and every value of values.yaml is in it (Helm checks the types on every render: ChartTest).
 */
class ValuesSchemaTest {

    static final Path CHART = Path.of("arbiter");

    @Test
    void everyObjectIsClosedAndEveryValueDescribed() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(CHART.resolve("values.schema.json").toFile());
        List<String> problems = new ArrayList<>();
        walk(schema, "", problems);
        assertEquals(List.of(), problems);
    }

    private static void walk(JsonNode s, String path, List<String> problems) {
        if (s.has("properties")) {
            if (!s.path("additionalProperties").isBoolean() || s.path("additionalProperties").asBoolean()) {
                problems.add((path.isEmpty() ? "(root)" : path) + ": additionalProperties is not false");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = s.get("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                String at = path.isEmpty() ? p.getKey() : path + "." + p.getKey();
                if (p.getValue().path("description").asText().isBlank()) {
                    problems.add(at + ": no description");
                }
                walk(p.getValue(), at, problems);
            }
        }
    }

    @Test
    void everyValueOfValuesYamlIsInTheSchema() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(CHART.resolve("values.schema.json").toFile());
        JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(CHART.resolve("values.yaml").toFile());
        List<String> missing = new ArrayList<>();
        int[] checked = {0};
        compare(values, schema, "", missing, checked);
        assertEquals(List.of(), missing);
        assertTrue(checked[0] > 80, "the walk reached the leaves: " + checked[0]);
    }

    private static void compare(JsonNode values, JsonNode schema, String path, List<String> missing, int[] checked) {
        if (!values.isObject() || !schema.has("properties")) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> v = it.next();
            String at = path.isEmpty() ? v.getKey() : path + "." + v.getKey();
            JsonNode p = schema.get("properties").get(v.getKey());
            checked[0]++;
            if (p == null) {
                missing.add(at);
            } else {
                compare(v.getValue(), p, at, missing, checked);
            }
        }
    }
}
