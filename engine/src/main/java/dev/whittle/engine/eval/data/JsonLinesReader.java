package dev.whittle.engine.eval.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One JSON object per line; blank lines are skipped. */
final class JsonLinesReader implements DatasetReader {

    private static final JsonMapper JSON = new JsonMapper();

    @Override
    public List<Doc> read(DataPath path, String split, List<String> subsets) throws IOException {
        String[] lines = path.readText().split("\n", -1);
        List<Doc> docs = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JacksonException e) {
                throw new DatasetException(path + " line " + (i + 1) + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
            }
            if (!node.isObject()) {
                throw new DatasetException(path + " line " + (i + 1) + ": expected a JSON object, got " + node.getNodeType());
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            JsonValues.flatten("", node, fields);
            docs.add(new Doc(docs.size(), fields));
        }
        return docs;
    }
}
