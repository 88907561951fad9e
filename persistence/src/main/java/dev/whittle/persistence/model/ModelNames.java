package dev.whittle.persistence.model;

import java.sql.PreparedStatement;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.team.TeamScope;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * Models' names and folders in plain SQL, for the API's hot paths: a job's view shows its models' names, and every job
 * submission looks up its model's folder by name, where the same lookups through Hibernate ({@link Models#findNames},
 * an entity load with its JSON columns) cost as much CPU as the rest of the request's database work.
 */
@Repository
public class ModelNames {

    private static final RowMapper<ModelName> ROW = (rs, i) -> new ModelName(rs.getObject(1, UUID.class), rs.getString(2));

    private static final RowMapper<ModelFolder> FOLDER = (rs, i) -> new ModelFolder(rs.getObject(1, UUID.class),
            rs.getString(2), rs.getString(3), rs.getString(4));

    private final JdbcTemplate jdbc;

    public ModelNames(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The ids and names of these models (absent: deleted ones), in one statement for one job or a page of them: the
     * ids bound as one {@code uuid[]}, so the statement is the same whatever their number.
     */
    public List<ModelName> of(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.query(connection -> {
            PreparedStatement statement = connection.prepareStatement("select id, name from model where id = any(?)");
            statement.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            return statement;
        }, ROW);
    }

    /** The model with this id, of whichever team. */
    public Optional<ModelFolder> folder(UUID id) {
        return jdbc.query("select id, name, path, owner_team from model where id = ?", FOLDER, id).stream().findFirst();
    }

    /**
     * The models named {@code name} (one per team at most) of team {@code team} and the shared team, or of every team
     * when {@code team} is null.
     */
    public List<ModelFolder> foldersNamed(String name, String team) {
        if (team == null) {
            return jdbc.query("select id, name, path, owner_team from model where name = ?", FOLDER, name);
        }
        return jdbc.query("select id, name, path, owner_team from model where name = ? and owner_team in (?, ?)", FOLDER,
                name, team, TeamScope.SHARED);
    }
}
