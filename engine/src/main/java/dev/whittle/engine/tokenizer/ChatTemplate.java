package dev.whittle.engine.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import dev.whittle.engine.io.ModelFormatException;
import jinjava.javax.el.CompositeELResolver;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template: the Jinja text of tokenizer_config.json's {@code chat_template} (a string, or a list of
 * named templates of which {@code default} is used, as transformers does), else of a {@code chat_template.jinja}
 * file beside it, rendered by Jinjava the way transformers' {@code apply_chat_template} renders it: blocks trimmed
 * and left-stripped, with the globals templates read ({@code messages}, {@code bos_token}, {@code eos_token},
 * {@code add_generation_prompt}, {@code raise_exception(msg)}, {@code strftime_now(fmt)}) and Python's string
 * methods ({@link PythonStringMethods}). Every failure to render is a {@link RenderException}. Thread-safe.
 */
public final class ChatTemplate {

    /** The file newer transformers versions write the template to instead of tokenizer_config.json. */
    public static final String JINJA_FILE = "chat_template.jinja";

    /** The longest rendering accepted (a conversation's text, far above any context length). */
    static final long MAX_OUTPUT_CHARS = 16L << 20;

    /** One turn of a conversation. */
    public record Message(String role, String content) {
        public Message {
            if (role == null || content == null) {
                throw new IllegalArgumentException("a message needs a role and a content");
            }
        }
    }

    /** A template that could not render a conversation: a syntax error, or a {@code raise_exception} call. */
    public static final class RenderException extends IllegalArgumentException {
        RenderException(String message) {
            super(message);
        }
    }

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    /** The template {@code source}, with the bos and eos token texts it may print (either may be null). */
    public ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withFailOnUnknownTokens(false)
                // a template is untrusted input: bound what one render may produce
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxRenderDepth(16)
                // Jinja2's own semantics where Jinjava keeps older ones by default: {{- -}} trims, operators bind
                // as in Python, loop variables may be null, backslashes escape only inside quotes, tojson as Python,
                // dict literal keys are expressions and a for loop over a dict walks its keys.
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .withUsePyishObjectMapper(true)
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .build())
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                ChatTemplate.class, "strftimeNow", String.class));
    }

    /**
     * The chat template of the model folder {@code dir}, with its bos/eos token texts (strings or AddedToken
     * objects); empty when the folder has none.
     */
    public static Optional<ChatTemplate> load(Path dir) throws IOException {
        Path configFile = dir.resolve("tokenizer_config.json");
        JsonNode config = TokenizerSettings.readJson(configFile);
        String source = config == null ? null : templateText(configFile, config.get("chat_template"));
        Path jinja = dir.resolve(JINJA_FILE);
        if (source == null && Files.isRegularFile(jinja)) {
            source = Files.readString(jinja);
        }
        if (source == null) {
            return Optional.empty();
        }
        return Optional.of(new ChatTemplate(source, TokenizerSettings.tokenText(config, "bos_token"),
                TokenizerSettings.tokenText(config, "eos_token")));
    }

    /** The Jinja text. */
    public String source() {
        return source;
    }

    /**
     * {@code messages} rendered; with {@code addGenerationPrompt}, followed by what opens the assistant's reply.
     *
     * @throws RenderException when the template does not parse, calls {@code raise_exception} or fails otherwise
     */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        Map<String, Object> globals = new HashMap<>();
        globals.put("messages", turns);
        globals.put("bos_token", bosToken == null ? "" : bosToken);
        globals.put("eos_token", eosToken == null ? "" : eosToken);
        globals.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result;
        try {
            result = jinjava.renderForResult(source, globals);
        } catch (RuntimeException | StackOverflowError broken) {
            // Jinjava reports most problems as errors of the result, but not all (a template is untrusted input).
            throw new RenderException("the chat template cannot render the conversation: " + broken);
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new RenderException(describe(error));
            }
        }
        return result.getOutput();
    }

    /** {@code raise_exception(msg)}: fails the render with {@code msg}, as transformers does. */
    public static String raiseException(String message) {
        throw new Raised(message);
    }

    /** {@code strftime_now(fmt)}: the local time now, formatted as Python's strftime does. */
    public static String strftimeNow(String format) {
        return StrftimeFormatter.format(ZonedDateTime.now(), format);
    }

    /** What a template raised, carried through Jinjava's wrapping to {@link #describe}. */
    private static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message, null, false, false);
        }
    }

    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof Raised raised) {
                return "the chat template raised an exception: " + raised.getMessage();
            }
        }
        return "the chat template cannot render the conversation: " + error.getMessage()
                + (error.getLineno() > 0 ? " (line " + error.getLineno() + ")" : "");
    }

    /** A {@code chat_template} value: its text, or the text of the template named {@code default} in a list. */
    private static String templateText(Path file, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isString()) {
            return value.stringValue();
        }
        if (value.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode named : value) {
                String name = named.path("name").asString(null);
                names.add(name);
                if ("default".equals(name) && named.path("template").isString()) {
                    return named.get("template").stringValue();
                }
            }
            throw new ModelFormatException(file, "chat_template", "lists the templates " + names
                    + " but none named 'default'");
        }
        throw new ModelFormatException(file, "chat_template", "is neither a string nor a list of named templates");
    }
}
