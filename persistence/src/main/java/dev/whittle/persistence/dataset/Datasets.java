package dev.whittle.persistence.dataset;

import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

/** The registered datasets. */
public interface Datasets extends JpaRepository<Dataset, UUID> {

    Optional<Dataset> findByName(String name);

    boolean existsByName(String name);
}
