package dev.whittle.persistence.team;

import org.springframework.data.jpa.repository.JpaRepository;

/** The teams. */
public interface Teams extends JpaRepository<Team, String> {
}
