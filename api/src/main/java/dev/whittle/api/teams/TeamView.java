package dev.whittle.api.teams;

import java.time.Instant;

import dev.whittle.persistence.team.Team;

public record TeamView(String name, Instant createdAt) {

    public static TeamView of(Team t) {
        return new TeamView(t.getName(), t.getCreatedAt());
    }
}
