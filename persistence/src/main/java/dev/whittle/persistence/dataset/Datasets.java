package dev.whittle.persistence.dataset;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.team.TeamScope;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

/** The registered datasets. */
public interface Datasets extends JpaRepository<Dataset, UUID> {

    /** The datasets named {@code name}: one per team at most. */
    List<Dataset> findAllByName(String name);

    /** Whether team {@code ownerTeam} has a dataset named {@code name} (names are unique per team). */
    boolean existsByOwnerTeamAndName(String ownerTeam, String name);

    /**
     * The dataset named {@code name} that the current thread sees ({@link TeamScope}), its own team's before a shared
     * one; another team's name is as absent as one that no team uses.
     */
    default Optional<Dataset> findVisibleByName(String name) {
        return findAllByName(name).stream().filter(d -> TeamScope.sees(d.getOwnerTeam()))
                .min(Comparator.comparingInt(d -> TeamScope.nearness(d.getOwnerTeam())));
    }

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
        found = found.filter(d -> TeamScope.sees(d.getOwnerTeam()));
        return found.isPresent() ? found : findVisibleByName(idOrName);
    }
}
