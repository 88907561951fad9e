package dev.whittle.engine.eval.run;

import dev.whittle.engine.eval.data.DatasetException;
import dev.whittle.engine.eval.data.Doc;
import dev.whittle.engine.eval.task.FewShotSampler;
import dev.whittle.engine.eval.task.FewShotSpec;
import dev.whittle.engine.eval.task.PromptTemplate;
import dev.whittle.engine.eval.task.RequestSpec;
import dev.whittle.engine.eval.task.RequestType;
import dev.whittle.engine.eval.task.TaskDefinition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How a task turns a document into what the model sees and what counts as right: the prompt (description, few-shot
 * examples, the document's text), the choices and the gold one, the accepted answers.
 * <p>
 * The prompt is {@code description + (example + separator) x k + text}, an example being
 * {@code text + targetDelimiter + target}: with MMLU's settings exactly the original evaluation's prompt.
 */
final class PromptBuilder {

    private final TaskDefinition task;
    private final PromptTemplate description;
    private final PromptTemplate text;
    private final List<PromptTemplate> choiceTemplates;
    private final FewShotSpec fewshot;
    private final List<Doc> pool;
    private final Map<String, List<Doc>> poolByGroup = new LinkedHashMap<>();
    private final boolean poolIsEvaluatedSplit;

    /**
     * @param pool                 the documents few-shot examples come from (empty when k is 0)
     * @param poolIsEvaluatedSplit the pool is the evaluated split, so a document never is its own example
     */
    PromptBuilder(TaskDefinition task, FewShotSpec fewshot, List<Doc> pool, boolean poolIsEvaluatedSplit) {
        this.task = task;
        this.fewshot = fewshot;
        this.pool = pool;
        this.poolIsEvaluatedSplit = poolIsEvaluatedSplit;
        this.description = task.prompt() == null ? null : PromptTemplate.parse(task.prompt().description());
        this.text = task.prompt() == null ? null : PromptTemplate.parse(task.prompt().text());
        RequestSpec request = task.request();
        this.choiceTemplates = request.choices() == null ? null
                : request.choices().stream().map(PromptTemplate::parse).toList();
        if (fewshot.sameGroup()) {
            for (Doc doc : pool) {
                poolByGroup.computeIfAbsent(doc.text(task.groupBy()), g -> new ArrayList<>()).add(doc);
            }
        }
    }

    /** The full prompt of {@code doc}. */
    String context(Doc doc) {
        StringBuilder out = new StringBuilder(description.render(doc));
        for (Doc example : examples(doc)) {
            out.append(text.render(example)).append(task.prompt().targetDelimiter()).append(target(example))
                    .append(fewshot.separator());
        }
        return out.append(text.render(doc)).toString();
    }

    /** What follows the prompt in front of a choice or answer. */
    String delimiter() {
        return task.prompt().targetDelimiter();
    }

    /** The choices of a multiple-choice document (none empty). */
    List<String> choices(Doc doc) {
        List<String> choices = choiceTemplates != null
                ? choiceTemplates.stream().map(t -> t.render(doc)).toList()
                : doc.texts(task.request().choicesField());
        if (choices.size() < 2) {
            throw new DatasetException("document " + doc.id() + ": needs at least 2 choices, has " + choices.size());
        }
        for (int i = 0; i < choices.size(); i++) {
            if (choices.get(i).isEmpty()) {
                throw new DatasetException("document " + doc.id() + ": choice " + i + " is empty");
            }
        }
        return choices;
    }

    /** The gold choice's index: the gold field is an index, or the text of one of the choices. */
    int gold(Doc doc, List<String> choices) {
        String field = task.request().goldField();
        Object value = doc.get(field);
        int index;
        if (value instanceof Number n) {
            index = n.intValue();
            if (n.doubleValue() != index) {
                index = -1;
            }
        } else {
            index = choices.indexOf(value.toString());
        }
        if (index < 0 || index >= choices.size()) {
            throw new DatasetException("document " + doc.id() + ": " + field + " = " + value
                    + " is neither a choice index in [0, " + choices.size() + ") nor one of the choices " + choices);
        }
        return index;
    }

    /** The accepted answers of a generation document: the answer, then its aliases. */
    List<String> answers(Doc doc) {
        RequestSpec request = task.request();
        List<String> answers = new ArrayList<>();
        answers.add(doc.text(request.answerField()));
        if (request.aliasesField() != null && doc.has(request.aliasesField())) {
            answers.addAll(doc.texts(request.aliasesField()));
        }
        return answers;
    }

    /** What a few-shot example shows as its answer. */
    String target(Doc doc) {
        if (task.requestType() == RequestType.LOGLIKELIHOOD) {
            List<String> choices = choices(doc);
            return choices.get(gold(doc, choices));
        }
        return doc.text(task.request().answerField());
    }

    /** The few-shot examples for {@code doc}. */
    List<Doc> examples(Doc doc) {
        int k = fewshot.k();
        if (k == 0) {
            return List.of();
        }
        List<Doc> candidates = fewshot.sameGroup()
                ? poolByGroup.getOrDefault(doc.text(task.groupBy()), List.of()) : pool;
        if (poolIsEvaluatedSplit) {
            candidates = candidates.stream().filter(c -> c.index() != doc.index()).toList();
        }
        if (candidates.size() < k) {
            throw new DatasetException("document " + doc.id() + ": only " + candidates.size() + " few-shot examples"
                    + (fewshot.sameGroup() ? " in its group" : "") + " for k = " + k);
        }
        if (fewshot.sampler() == FewShotSampler.FIRST) {
            return candidates.subList(0, k);
        }
        // A partial Fisher-Yates shuffle seeded by the task's seed and the document, so a document's examples do
        // not depend on which other documents a limited run takes.
        Random random = new Random(fewshot.seed() * 1_000_003L + doc.index());
        List<Doc> shuffled = new ArrayList<>(candidates);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(shuffled.size() - i);
            Doc swap = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, swap);
        }
        return List.copyOf(shuffled.subList(0, k));
    }
}
