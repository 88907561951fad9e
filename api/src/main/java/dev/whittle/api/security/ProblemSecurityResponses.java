package dev.whittle.api.security;

import java.io.IOException;

import dev.whittle.api.problems.ProblemHandler;
import dev.whittle.api.problems.Problems;
import dev.whittle.persistence.outage.DatabaseOutage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/** 401 and 403 as RFC 9457 problems, like every other error of the API. */
public class ProblemSecurityResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        if (DatabaseOutage.causes(e)) {
            response.setHeader(HttpHeaders.RETRY_AFTER, ProblemHandler.RETRY_AFTER_SECONDS);
            write(request, response, Problems.DATABASE_UNAVAILABLE, ProblemHandler.DATABASE_UNAVAILABLE_DETAIL);
            return;
        }
        boolean sent = request.getHeader(HttpHeaders.AUTHORIZATION) != null;
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, sent ? "Bearer error=\"invalid_token\"" : "Bearer");
        write(request, response, Problems.UNAUTHORIZED, sent
                ? "The key or token is not valid: " + e.getMessage()
                : "Send a key or token as 'Authorization: Bearer <key>'");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) throws IOException {
        write(request, response, Problems.FORBIDDEN, "This key's role may not " + request.getMethod() + " "
                + request.getRequestURI() + " (viewers read; submitters also submit, cancel and register; admins also "
                + "manage keys and teams and read metrics)");
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, Problems problem, String detail)
            throws IOException {
        problem.write(request, response, detail);
    }
}
