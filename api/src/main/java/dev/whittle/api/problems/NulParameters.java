package dev.whittle.api.problems;

import java.util.List;
import java.util.Map;

import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Refuses NUL in a query parameter (a label filter) or a path variable before a handler sees it: 422 at its name. */
@Configuration
public class NulParameters implements HandlerInterceptor, WebMvcConfigurer {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        List<FieldProblem> problems = new java.util.ArrayList<>();
        request.getParameterMap().forEach((name, values) -> {
            if (NulText.holdsNul(name) || java.util.Arrays.stream(values).anyMatch(NulText::holdsNul)) {
                problems.add(new FieldProblem(name.replace('\0', '?'), NulText.MESSAGE));
            }
        });
        if (request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> variables) {
            variables.forEach((name, value) -> {
                if (value instanceof String text && NulText.holdsNul(text)) {
                    problems.add(new FieldProblem(String.valueOf(name), NulText.MESSAGE));
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return true;
    }
}
