package dev.whittle.lab.corpus;

import dev.whittle.engine.train.distill.SelfDistillation;
import dev.whittle.engine.train.finetune.RecoverySet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The recovery sets a DISTILL may name that come from the reference corpus, made in memory (never fetched): the
 * reference model's own kind of questions, each prompt ending with "A:" and each response " " + the answer.
 * Applications that fine-tune (the worker) add them.
 */
public final class KnowledgeRecoverySet implements RecoverySet {

    /** How many reading examples {@value #READING} holds (of the corpus's twelve thousand). */
    static final int READING_EXAMPLES = 1200;

    public static final String QA = "knowledge-qa";
    public static final String READING = "knowledge-reading";

    private final String name;
    private final Supplier<List<SelfDistillation.Example>> examples;

    private KnowledgeRecoverySet(String name, Supplier<List<SelfDistillation.Example>> examples) {
        this.name = name;
        this.examples = examples;
    }

    /** {@value #QA}: one closed-book question about each fact of each trained person, as training phrased it. */
    public static KnowledgeRecoverySet qa() {
        return new KnowledgeRecoverySet(QA, () -> {
            KnowledgeCorpus corpus = ReferenceRecipe.knowledge();
            List<SelfDistillation.Example> out = new ArrayList<>();
            for (int person = 0; person < corpus.population().trained().size(); person++) {
                for (Attribute attribute : Attribute.values()) {
                    Biographer.QuestionAnswer qa = corpus.trainingQuestion(person, attribute, 0);
                    out.add(new SelfDistillation.Example(qa.prompt(), " " + qa.answer()));
                }
            }
            return out;
        });
    }

    /** {@value #READING}: a biography of an unseen person and a question answered in it. */
    public static KnowledgeRecoverySet reading() {
        return new KnowledgeRecoverySet(READING, () -> {
            KnowledgeCorpus corpus = ReferenceRecipe.knowledge();
            List<SelfDistillation.Example> out = new ArrayList<>();
            for (int i = 0; i < READING_EXAMPLES; i++) {
                KnowledgeCorpus.ReadingExample example = corpus.readingExample(i);
                out.add(new SelfDistillation.Example(example.prompt(), " " + example.qa().answer()));
            }
            return out;
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<SelfDistillation.Example> examples() {
        return examples.get();
    }
}
