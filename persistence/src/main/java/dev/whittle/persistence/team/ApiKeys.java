package dev.whittle.persistence.team;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

/** The API keys, found by the hash of their secret. */
public interface ApiKeys extends JpaRepository<ApiKey, UUID> {

    Optional<ApiKey> findByKeyHash(String keyHash);

    List<ApiKey> findAllByOrderByCreatedAtAsc();

    /** Whether some admin key is not revoked. */
    @Query("select count(k) > 0 from ApiKey k where k.role = dev.whittle.persistence.team.Role.ADMIN and k.revokedAt is null")
    boolean existsActiveAdmin();

    /** Records a use at most once a minute per key (a write per request would make every GET a write). */
    @Modifying
    @Transactional
    @Query(value = """
            update api_key set last_used_at = now()
            where id = :id and (last_used_at is null or last_used_at < now() - interval '1 minute')
            """, nativeQuery = true)
    int touch(UUID id);
}
