package dev.whittle.engine.train.distill;

import dev.whittle.engine.Progress;
import dev.whittle.engine.generate.Generator;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Self-data distillation (Thangarasa et al. 2024): before fine-tuning a pruned student, the unpruned teacher
 * answers every prompt of the dataset itself (greedy), so the student is trained on answers in the teacher's own
 * distribution instead of the dataset's style. With a template that also shows the original response (SDFT, Yang
 * et al. 2024), the teacher rewrites the dataset's answer in its own words. An {@link AnswerCheck} decides per
 * example whether the teacher's answer is kept or the original is used, and both outcomes are counted.
 */
public final class SelfDistillation {

    /** Where a template puts the example's prompt and original response. */
    public static final String PROMPT = "{prompt}";
    public static final String RESPONSE = "{response}";

    /**
     * @param template     null: the teacher sees the prompt as it is; otherwise the text given to the teacher, with
     *                     {@value #PROMPT} and optionally {@value #RESPONSE} replaced by the example's fields
     * @param maxNewTokens the longest regenerated response
     * @param stopStrings  where a response ends besides the end-of-sequence token
     */
    public record Config(String template, int maxNewTokens, List<String> stopStrings, AnswerCheck check) {
        public Config {
            stopStrings = List.copyOf(stopStrings);
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
            }
            if (template != null && !template.contains(PROMPT)) {
                throw new IllegalArgumentException("the template must contain " + PROMPT + " where the prompt goes");
            }
        }

        /** The prompt alone, the default check. */
        public static Config of(int maxNewTokens, List<String> stopStrings) {
            return new Config(null, maxNewTokens, stopStrings, AnswerCheck.finalAnswerAppears());
        }
    }

    /** One prompt/response pair as text. */
    public record Example(String prompt, String response) {
    }

    /** The example to train on (the teacher's response or the original), and what the teacher said. */
    public record Outcome(Example example, boolean teacherKept, String teacherResponse) {
    }

    /** Every example's outcome, in the dataset's order, with the counts of both outcomes. */
    public record Result(List<Outcome> outcomes, int teacherKept, int originalKept) {
        public Result {
            outcomes = List.copyOf(outcomes);
        }

        /** The examples to train on. */
        public List<Example> examples() {
            return outcomes.stream().map(Outcome::example).toList();
        }
    }

    private SelfDistillation() {
    }

    /** Regenerates every response with the teacher; reports one step per example and honours cancellation. */
    public static Result regenerate(Decoder teacher, Tokenizer tokenizer, List<Example> examples, Config config,
                                    Progress progress) {
        Generator generator = new Generator(teacher, tokenizer);
        Generator.Settings greedy = new Generator.Settings(config.maxNewTokens(), 0, 1, 0, config.stopStrings());
        List<Outcome> outcomes = new ArrayList<>();
        int kept = 0;
        for (int i = 0; i < examples.size(); i++) {
            progress.checkCancelled();
            Example example = examples.get(i);
            String answer = generator.generate(teacherPrompt(config.template(), example), greedy, text -> { },
                    Progress.NONE).text();
            boolean keep = config.check().keepTeacher(example.response(), answer);
            if (keep) {
                kept++;
            }
            outcomes.add(new Outcome(keep ? new Example(example.prompt(), answer) : example, keep, answer));
            progress.report("self-distill", i + 1, examples.size(), kept + " teacher answers kept, "
                    + (i + 1 - kept) + " originals");
        }
        return new Result(outcomes, kept, examples.size() - kept);
    }

    /** What the teacher is given for one example. */
    static String teacherPrompt(String template, Example example) {
        if (template == null) {
            return example.prompt();
        }
        // One pass over the template: a field's own text is never read as a placeholder.
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            if (template.startsWith(PROMPT, i)) {
                out.append(example.prompt());
                i += PROMPT.length();
            } else if (template.startsWith(RESPONSE, i)) {
                out.append(example.response());
                i += RESPONSE.length();
            } else {
                out.append(template.charAt(i++));
            }
        }
        return out.toString();
    }
}
