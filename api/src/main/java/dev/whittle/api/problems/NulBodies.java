package dev.whittle.api.problems;

import java.lang.reflect.Type;
import java.util.List;

import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;
import tools.jackson.databind.JsonNode;

/** Refuses a JSON request body with NUL in any name or string (job names, labels, recipes, task definitions): 422. */
@ControllerAdvice
public class NulBodies extends RequestBodyAdviceAdapter {

    @Override
    public boolean supports(MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converter) {
        return JsonNode.class.isAssignableFrom(parameter.getParameterType());
    }

    @Override
    public Object afterBodyRead(Object body, HttpInputMessage input, MethodParameter parameter, Type targetType,
                                Class<? extends HttpMessageConverter<?>> converter) {
        List<FieldProblem> problems = NulText.problems((JsonNode) body);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return body;
    }
}
