package dev.whittle.api.security;

import java.util.Map;
import java.util.UUID;

import dev.whittle.api.problems.ApiException;
import dev.whittle.persistence.team.TeamScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Another team's job, dataset or evaluation, named by id in the path, is as absent as one that does not exist
 * (404, never 403, so ids of other teams cannot be probed), for every route under it (events, streams, loss curves,
 * samples, cancel, delete). Jobs are their team's alone; datasets and evaluations of the team 'shared' are every
 * team's to read. Models and tasks are looked up through their catalogs, which apply the same rule.
 */
@Configuration(proxyBeanMethods = false)
public class TeamOwnership implements WebMvcConfigurer {

    private final JdbcClient jdbc;

    public TeamOwnership(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new Guard("job", "Job", true)).addPathPatterns(JOB, "/api/v1/jobs/{id}/**");
        registry.addInterceptor(new Guard("dataset", "Dataset", false)).addPathPatterns("/api/v1/datasets/{id}");
        registry.addInterceptor(new Guard("evaluation", "Evaluation", false))
                .addPathPatterns("/api/v1/evaluations/{id}", "/api/v1/evaluations/{id}/**");
    }

    private final class Guard implements HandlerInterceptor {
        private final String table;
        private final String what;
        private final boolean ownOnly;

        Guard(String table, String what, boolean ownOnly) {
            this.table = table;
            this.what = what;
            this.ownOnly = ownOnly;
        }

        @Override
        public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
            if (TeamScope.filter() == null || selfChecking(request)) {
                return true;
            }
            @SuppressWarnings("unchecked")
            Map<String, String> variables = (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
            String id = variables == null ? null : variables.get("id");
            UUID uuid;
            try {
                uuid = id == null ? null : UUID.fromString(id);
            } catch (IllegalArgumentException notAnId) {
                return true; // the handler answers 400 for it
            }
            if (uuid == null) {
                return true;
            }
            String owner = jdbc.sql("select owner_team from " + table + " where id = :id").param("id", uuid)
                    .query(String.class).optional().orElse(null);
            if (owner != null && !(ownOnly ? TeamScope.owns(owner) : TeamScope.sees(owner))) {
                throw ApiException.notFound(what + " " + uuid);
            }
            return true;
        }
    }

    /**
     * {@code GET /api/v1/jobs/{id}}, the route every waiting client polls: its read ({@code JobViews.find}) takes the
     * job's team with the job and answers 404 for another team's, so a query here first would only double the work.
     */
    private static boolean selfChecking(HttpServletRequest request) {
        return "GET".equals(request.getMethod())
                && JOB.equals(String.valueOf(request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE)));
    }

    private static final String JOB = "/api/v1/jobs/{id}";
}
