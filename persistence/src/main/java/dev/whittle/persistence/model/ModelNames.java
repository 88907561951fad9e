package dev.whittle.persistence.model;

import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The names of one job's input and output models, in plain SQL: a job's view shows them on every GET of the job,
 * where the same lookup as a JPQL query ({@link Models#findNames}) cost as much CPU as loading the job itself.
 */
@Repository
public class ModelNames {

    private static final RowMapper<ModelName> ROW = (rs, i) -> new ModelName(rs.getObject(1, UUID.class), rs.getString(2));

    private final JdbcTemplate jdbc;

    public ModelNames(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The ids and names of models {@code input} and {@code output}, either of which may be null. */
    public List<ModelName> of(UUID input, UUID output) {
        if (input == null || output == null) {
            UUID one = input == null ? output : input;
            // no null bound: a null of unknown type costs pgjdbc a round trip to learn the parameter's type
            return one == null ? List.of() : jdbc.query("select id, name from model where id = ?", ROW, one);
        }
        return jdbc.query("select id, name from model where id in (?, ?)", ROW, input, output);
    }
}
