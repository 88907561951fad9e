package dev.whittle.lab.corpus;

import dev.whittle.engine.train.distill.SelfDistillation;

import java.util.ArrayList;
import java.util.List;

/**
 * A fine-tuning set as a customer would bring it to a recovery run (issue 12's experiment): closed-book questions
 * about a part of the trained people only, answered in full sentences rather than the bare answers the reference
 * model was trained to give ("Q: Where was Ana Sousa born?\nA:" / " Ana Sousa was born in Lisbon."). Supervised
 * fine-tuning on it teaches another answer style and touches only part of what the model knows, which is what lets
 * the forgetting that self-data distillation avoids show up.
 */
public final class CustomerQa {

    private CustomerQa() {
    }

    /** Every {@code every}-th trained person (from the first), one question per fact, in full-sentence answers. */
    public static List<SelfDistillation.Example> examples(int every) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be at least 1, got " + every);
        }
        KnowledgeCorpus corpus = ReferenceRecipe.knowledge();
        List<Person> trained = corpus.population().trained();
        List<SelfDistillation.Example> out = new ArrayList<>();
        for (int person = 0; person < trained.size(); person += every) {
            for (Attribute attribute : Attribute.values()) {
                Biographer.QuestionAnswer qa = corpus.trainingQuestion(person, attribute, 0);
                out.add(new SelfDistillation.Example(qa.prompt(), " " + sentence(trained.get(person), attribute)));
            }
        }
        return out;
    }

    /** The attribute's first statement with the full name ("{S} was born in {v}."). */
    static String sentence(Person person, Attribute attribute) {
        return attribute.statements().getFirst()
                .replace("{S}", person.fullName())
                .replace("{P}", person.fullName() + "'s")
                .replace("{v}", person.value(attribute));
    }
}
