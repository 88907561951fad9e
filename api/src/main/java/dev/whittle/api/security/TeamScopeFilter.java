package dev.whittle.api.security;

import java.io.IOException;

import dev.whittle.persistence.team.TeamScope;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/** Makes the request act for its caller's team ({@link TeamScope}) while it is handled. */
public class TeamScopeFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (!(auth != null && auth.getPrincipal() instanceof Caller caller)) {
            chain.doFilter(request, response);
            return;
        }
        TeamScope.enter(caller.team());
        try {
            chain.doFilter(request, response);
        } finally {
            TeamScope.clear();
        }
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }
}
