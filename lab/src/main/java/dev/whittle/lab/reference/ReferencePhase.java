package dev.whittle.lab.reference;

import dev.whittle.lab.corpus.TrainingMix;
import dev.whittle.lab.corpus.Arithmetic;

import java.util.List;

/**
 * One phase of a reference model's training: its plan, its data mix, and the run subfolder it keeps its
 * checkpoint, loss log and token stream in. A phase after the first starts from the weights its predecessor
 * finished with (fresh optimiser moments, its own schedule).
 *
 * @param name         the run subfolder and the name in logs and the card
 * @param plan         shape and optimiser settings (the shape must be the same in every phase)
 * @param mix          the data
 * @param alignAnswers whether documents with answers are kept inside one training window (see
 *                     {@link PackedStream#tokenize(TrainingMix, dev.whittle.engine.tokenizer.Tokenizer, int, String,
 *                     dev.whittle.engine.Progress)})
 */
public record ReferencePhase(String name, ReferencePlan plan, TrainingMix.Config mix, boolean alignAnswers) {

    /**
     * whittle-ref: pretraining on the knowledge corpus and natural English, then two reading drills over fresh
     * passages (warm restarts of the rate) that teach answering from a passage in view while closed-book answers
     * stay (reference/README.md says why).
     */
    public static List<ReferencePhase> whittleRef() {
        return List.of(
                new ReferencePhase("pretrain", ReferencePlan.whittleRef(), TrainingMix.Config.reference(), false),
                new ReferencePhase("reading", ReferencePlan.whittleRefReading(2027),
                        TrainingMix.Config.readingDrill(0, 2), true),
                new ReferencePhase("reading-2", ReferencePlan.whittleRefReading(2028),
                        TrainingMix.Config.readingDrill(1, 2), true));
    }

    /**
     * whittle-ref-moe: whittle-ref upcycled to the Mixtral plan ({@link dev.whittle.engine.train.Upcycling}), then one
     * pass over whittle-ref's first reading drill with the arithmetic domain added (the trained problems 40 times
     * each, the first time the model meets them), so that four domains (biographies, reading, English, arithmetic)
     * compete for the experts. reference/README.md says why it is upcycled, and why one phase.
     */
    public static List<ReferencePhase> whittleRefMoe() {
        int problems = new Arithmetic().trained().size();
        return List.of(new ReferencePhase("upcycled", ReferencePlan.whittleRefMoe(2027),
                TrainingMix.Config.readingDrill(0, 2).withArithmetic(40 * problems), true));
    }

    /** Tokens per training window, the unit answers are aligned to (0: not aligned). */
    int alignment() {
        return alignAnswers ? plan.context() : 0;
    }
}
