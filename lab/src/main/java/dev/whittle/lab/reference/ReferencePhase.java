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
 * @param maxUpdates   the phase's updates when fewer than one pass over its stream (its windows are visited in a
 *                     seeded random order, so a shorter phase sees a random part of the mix), or 0 for one pass
 */
public record ReferencePhase(String name, ReferencePlan plan, TrainingMix.Config mix, boolean alignAnswers,
                             long maxUpdates) {

    public ReferencePhase {
        if (maxUpdates < 0) {
            throw new IllegalArgumentException("maxUpdates must not be negative, got " + maxUpdates);
        }
    }

    /** A phase of one pass over its stream. */
    public ReferencePhase(String name, ReferencePlan plan, TrainingMix.Config mix, boolean alignAnswers) {
        this(name, plan, mix, alignAnswers, 0);
    }

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
     * compete for the experts; 400 of the pass's 760 updates. reference/README.md says why it is upcycled, why one
     * phase, and why shortened.
     */
    public static List<ReferencePhase> whittleRefMoe() {
        int problems = new Arithmetic().trained().size();
        return List.of(new ReferencePhase("upcycled", ReferencePlan.whittleRefMoe(2027),
                TrainingMix.Config.readingDrill(0, 2).withArithmetic(40 * problems), true, 400));
    }

    /** Tokens per training window, the unit answers are aligned to (0: not aligned). */
    int alignment() {
        return alignAnswers ? plan.context() : 0;
    }
}
