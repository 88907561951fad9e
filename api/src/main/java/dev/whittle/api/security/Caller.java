package dev.whittle.api.security;

import java.util.List;

import dev.whittle.persistence.team.Role;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Who made the request: a key or a token acting for {@code team} with {@code role}; {@code name} says which (the
 * key's id and name, or the token's subject) in logs.
 */
public record Caller(String team, Role role, String name) {

    /** The authenticated caller, as Spring Security holds it: the role as authority {@code ROLE_<role>}. */
    public AbstractAuthenticationToken authentication() {
        return new Authenticated(this);
    }

    static final class Authenticated extends AbstractAuthenticationToken {
        private final Caller caller;

        Authenticated(Caller caller) {
            super(List.of(new SimpleGrantedAuthority("ROLE_" + caller.role().name())));
            this.caller = caller;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return caller;
        }

        @Override
        public String getName() {
            return caller.name();
        }
    }
}
