package dev.whittle.persistence.model;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.whittle.persistence.team.TeamScope;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** The registered models. */
public interface Models extends JpaRepository<Model, UUID> {

    /** The model, its row locked until the transaction ends (a job submitted on it meanwhile waits for it). */
    @Query(value = "select * from model where id = :id for update", nativeQuery = true)
    Optional<Model> lockById(UUID id);

    /** The models made directly from {@code parentId}, as any of their parents (a merge has several). */
    @Query(value = """
            select m.* from model m where m.id in (select p.model_id from model_parent p where p.parent_id = :parentId)
            """, nativeQuery = true)
    List<Model> findChildren(UUID parentId);

    /** The models job {@code jobId} wrote. */
    List<Model> findByProducingJobId(UUID jobId);

    /**
     * The models named {@code name} (one per team at most), with their parents in the same query. A join fetch, not an
     * entity graph, and no collection parameter: Hibernate translates a query with an entity graph or with a
     * collection bound to {@code in} afresh on every call, which cost more than the query itself on every job
     * submission.
     */
    @Query("select m from Model m left join fetch m.parentIds where m.name = :name")
    List<Model> findAllNamed(String name);

    /** As {@link #findAllNamed}, of teams {@code team} and {@code shared} only. */
    @Query("select m from Model m left join fetch m.parentIds where m.name = :name"
            + " and (m.ownerTeam = :team or m.ownerTeam = :shared)")
    List<Model> findAllNamed(String name, String team, String shared);

    /**
     * The model named {@code name} that the current thread sees ({@link TeamScope}), its own team's before a shared
     * one; another team's name is as absent as one that no team uses.
     */
    default Optional<Model> findVisibleByName(String name) {
        String team = TeamScope.filter();
        return TeamScope.nearest(team == null ? findAllNamed(name) : findAllNamed(name, team, TeamScope.SHARED),
                Model::getOwnerTeam);
    }

    /** The oldest model registered at this folder (a job checks what it is given by its folder). */
    Optional<Model> findFirstByPathOrderByCreatedAtAsc(String path);

    /** Whether team {@code ownerTeam} has a model named {@code name} (names are unique per team). */
    boolean existsByOwnerTeamAndName(String ownerTeam, String name);

    /**
     * The model's ancestors (every parent of every ancestor, {@code model_parent}), nearest first: its parents, then
     * theirs, ...; a model reached on paths of several lengths counts at its nearest.
     */
    @Query(value = """
            with recursive ancestor(id, depth) as (
                select p.parent_id, 1 from model_parent p where p.model_id = :id
                union
                select p.parent_id, a.depth + 1 from model_parent p join ancestor a on p.model_id = a.id
                where a.depth < 1000
            )
            select m.* from model m join (select id, min(depth) as depth from ancestor group by id) a on m.id = a.id
            order by a.depth, m.created_at, m.id
            """, nativeQuery = true)
    List<Model> findAncestors(UUID id);

    /** Every model derived from this one, directly or not, through any of its parents, oldest first. */
    @Query(value = """
            with recursive descendant(id, depth) as (
                select p.model_id, 1 from model_parent p where p.parent_id = :id
                union
                select p.model_id, d.depth + 1 from model_parent p join descendant d on p.parent_id = d.id
                where d.depth < 1000
            )
            select m.* from model m where m.id in (select id from descendant) order by m.created_at, m.id
            """, nativeQuery = true)
    List<Model> findDescendants(UUID id);

    Page<Model> findByOwnerTeamIn(List<String> teams, Pageable pageable);

    /** What the current thread's team sees ({@link TeamScope}): its own and the shared ones. */
    default Page<Model> findVisible(Pageable pageable) {
        String team = TeamScope.filter();
        return team == null ? findAll(pageable) : findByOwnerTeamIn(List.of(team, TeamScope.SHARED), pageable);
    }
}
