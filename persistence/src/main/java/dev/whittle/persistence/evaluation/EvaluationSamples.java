package dev.whittle.persistence.evaluation;

import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The per-sample records of evaluations (prompt, target, output or choice scores, correctness), written in
 * batches and read a page at a time, optionally only the correct or incorrect ones.
 */
@Repository
public class EvaluationSamples {

    /** One sample: its position in the run, whether it was right (null where that does not apply), its record. */
    public record Row(int index, Boolean correct, JsonNode record) {
    }

    private static final int BATCH = 500;

    private final JdbcTemplate jdbc;

    public EvaluationSamples(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(UUID evaluationId, List<Row> rows) {
        for (int from = 0; from < rows.size(); from += BATCH) {
            List<Object[]> batch = rows.subList(from, Math.min(rows.size(), from + BATCH)).stream()
                    .map(r -> new Object[] {evaluationId, r.index(), r.correct(), JsonMapper.shared().writeValueAsString(r.record())})
                    .toList();
            jdbc.batchUpdate("insert into evaluation_sample (evaluation_id, idx, correct, record) values (?, ?, ?, cast(? as jsonb))",
                    batch);
        }
    }

    /** Records in run order, {@code size} from {@code offset}; {@code correct} null for all. */
    public List<JsonNode> page(UUID evaluationId, Boolean correct, long offset, int size) {
        return jdbc.query("""
                select record::text from evaluation_sample
                where evaluation_id = ? and (cast(? as boolean) is null or correct = cast(? as boolean))
                order by idx limit ? offset ?
                """, (rs, n) -> JsonMapper.shared().readTree(rs.getString(1)), evaluationId, correct, correct, size, offset);
    }

    public long count(UUID evaluationId, Boolean correct) {
        Long n = jdbc.queryForObject("""
                select count(*) from evaluation_sample
                where evaluation_id = ? and (cast(? as boolean) is null or correct = cast(? as boolean))
                """, Long.class, evaluationId, correct, correct);
        return n == null ? 0 : n;
    }
}
