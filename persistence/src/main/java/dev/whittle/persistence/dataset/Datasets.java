package dev.whittle.persistence.dataset;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.team.TeamScope;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

/** The registered datasets. */
public interface Datasets extends JpaRepository<Dataset, UUID> {

    Optional<Dataset> findByName(String name);

    boolean existsByName(String name);

    Page<Dataset> findByOwnerTeamIn(List<String> teams, Pageable pageable);

    /** What the current thread's team sees ({@link TeamScope}): its own and the shared ones. */
    default Page<Dataset> findVisible(Pageable pageable) {
        String team = TeamScope.filter();
        return team == null ? findAll(pageable) : findByOwnerTeamIn(List.of(team, TeamScope.SHARED), pageable);
    }

    /** The dataset with this id or, failing that, this name, if the current thread's team sees it. */
    default Optional<Dataset> findVisible(String idOrName) {
        Optional<Dataset> found = Optional.empty();
        try {
            found = findById(UUID.fromString(idOrName));
        } catch (IllegalArgumentException notAnId) {
            // then it is a name
        }
        if (found.isEmpty()) {
            found = findByName(idOrName);
        }
        return found.filter(d -> TeamScope.sees(d.getOwnerTeam()));
    }
}
