package dev.whittle.persistence.model;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** The registered models. */
public interface Models extends JpaRepository<Model, UUID> {

    /** The model, its row locked until the transaction ends (a job submitted on it meanwhile waits for it). */
    @Query(value = "select * from model where id = :id for update", nativeQuery = true)
    Optional<Model> lockById(UUID id);

    /** The models made directly from {@code parentId}. */
    List<Model> findByParentId(UUID parentId);

    /** The models job {@code jobId} wrote. */
    List<Model> findByProducingJobId(UUID jobId);

    Optional<Model> findByName(String name);

    boolean existsByName(String name);

    /** The model's ancestors, nearest first (its parent, the parent's parent, ...). */
    @Query(value = """
            with recursive ancestor(id, parent_id, depth) as (
                select m.id, m.parent_id, 0 from model m where m.id = :id
                union all
                select p.id, p.parent_id, a.depth + 1 from model p join ancestor a on p.id = a.parent_id
                where a.depth < 1000
            )
            select m.* from model m join ancestor a on m.id = a.id where a.depth > 0 order by a.depth
            """, nativeQuery = true)
    List<Model> findAncestors(UUID id);

    /** Every model derived from this one, directly or not, oldest first. */
    @Query(value = """
            with recursive descendant(id, depth) as (
                select m.id, 1 from model m where m.parent_id = :id
                union all
                select c.id, d.depth + 1 from model c join descendant d on c.parent_id = d.id
                where d.depth < 1000
            )
            select m.* from model m join descendant d on m.id = d.id order by m.created_at, m.id
            """, nativeQuery = true)
    List<Model> findDescendants(UUID id);
}
