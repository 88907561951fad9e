package dev.whittle.api.security;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.whittle.persistence.team.Role;
import dev.whittle.persistence.team.Team;
import dev.whittle.persistence.team.Teams;
import org.springframework.core.convert.converter.Converter;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * The caller a validated JWT stands for: its team from {@code whittle.security.jwt.team-claim}, its role from
 * {@code role-claim} (the highest of those it lists). A team first seen in a token is created, so teams can live in
 * the identity provider alone. A token without a usable team or role is refused (401).
 */
public class JwtCallers implements Converter<Jwt, AbstractAuthenticationToken> {

    private static final Pattern TEAM = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private final SecurityProperties.Jwt settings;
    private final Teams teams;

    public JwtCallers(SecurityProperties.Jwt settings, Teams teams) {
        this.settings = settings;
        this.teams = teams;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        String team = jwt.getClaimAsString(settings.teamClaim());
        if (team == null || !TEAM.matcher(team).matches()) {
            throw new InvalidBearerTokenException("The token's claim '" + settings.teamClaim()
                    + "' must name a team (lower-case letters, digits, '_' or '-')");
        }
        Role role = role(jwt.getClaim(settings.roleClaim())).orElseThrow(() -> new InvalidBearerTokenException(
                "The token's claim '" + settings.roleClaim() + "' must hold admin, submitter, viewer or metrics"));
        ensureTeam(team);
        return new Caller(team, role, "token of " + jwt.getSubject()).authentication();
    }

    /** The highest role named: a string, or a list of strings. */
    static Optional<Role> role(Object claim) {
        Collection<?> values = claim instanceof Collection<?> c ? c : claim == null ? List.of() : List.of(claim);
        return values.stream().filter(Objects::nonNull).map(v -> v.toString().toUpperCase(Locale.ROOT)
                        .replaceFirst("^WHITTLE[-_]", ""))
                .flatMap(v -> java.util.Arrays.stream(Role.values()).filter(r -> r.name().equals(v)))
                .min(Enum::compareTo); // ADMIN < SUBMITTER < VIEWER < METRICS in declaration order
    }

    private void ensureTeam(String team) {
        if (!teams.existsById(team)) {
            try {
                teams.saveAndFlush(new Team(team));
            } catch (DataIntegrityViolationException raced) {
                // another request created it
            }
        }
    }
}
