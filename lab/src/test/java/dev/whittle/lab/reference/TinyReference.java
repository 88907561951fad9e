package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.KnowledgeCorpus;
import dev.whittle.lab.corpus.KnowledgeEvalSets;
import dev.whittle.lab.corpus.KnowledgePools;
import dev.whittle.lab.corpus.TrainingMix;
import dev.whittle.engine.tokenizer.BpeModel;
import dev.whittle.engine.tokenizer.BpeSpecialTokens;
import dev.whittle.engine.tokenizer.BpeTokenizerFiles;
import dev.whittle.engine.tokenizer.BpeTrainer;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A reference recipe in miniature for tests: 8 people, a few exposures, a handful of English passages, a
 * 400-token BPE trained on the mix, the matching evaluation sets, and a 2-block model with a 32-token context,
 * trained in two phases (pretraining, then a reading drill) as whittle-ref is.
 */
final class TinyReference {

    static final ReferencePlan PLAN = new ReferencePlan(32, 2, 4, 2, 64, 32, 4, 1e-2, 1e-3, 5, 0.1, 1.0, 7);
    /** The second phase: the same shape, a gentler rate, another window order. */
    static final ReferencePlan DRILL_PLAN = new ReferencePlan(32, 2, 4, 2, 64, 32, 4, 5e-3, 5e-4, 2, 0.1, 1.0, 8);
    static final TrainingMix.Config DRILL_MIX = new TrainingMix.Config(4, 2, 1,
            TrainingMix.Reading.drill(3, 0, 1), 0.3);
    static final List<ReferencePhase> PHASES = List.of(
            new ReferencePhase("pretrain", PLAN, new TrainingMix.Config(3, 12, 2, 0.3), false),
            new ReferencePhase("drill", DRILL_PLAN, DRILL_MIX, true));
    static final List<String> NATURAL = List.of(
            "The jury said it found no evidence that any irregularities took place in the election.",
            "It praised the city for the manner in which the election was conducted.",
            "The old house stood at the end of the road, and nobody had lived in it for many years.",
            "She walked to the market every morning and bought bread, milk and a newspaper.",
            "A second passage of plain English text, somewhat longer than the first one, about nothing in particular.");

    final Path root;
    final KnowledgeCorpus knowledge = new KnowledgeCorpus(new KnowledgeCorpus.Config(11, 8, 4, 30, 6, 20, 0.5),
            KnowledgePools.standard());
    final TrainingMix mix = mix(PHASES.getFirst().mix());
    final Path tokenizerDir;
    final Path evalDir;
    final Tokenizer tokenizer;

    TinyReference(Path root) throws IOException {
        this.root = root;
        List<String> texts = new ArrayList<>();
        mix.documents(0).forEachRemaining(d -> texts.add(d.text()));
        BpeModel bpe = BpeTrainer.train(texts.iterator(),
                new BpeTrainer.Options(400, 2, BpeSpecialTokens.endOfText()), Progress.NONE);
        tokenizerDir = Files.createDirectories(root.resolve("tokenizer"));
        BpeTokenizerFiles.write(bpe, tokenizerDir, true, PLAN.context());
        evalDir = root.resolve("eval");
        KnowledgeEvalSets.write(knowledge, evalDir);
        tokenizer = Tokenizer.load(tokenizerDir);
    }

    TrainingMix mix(TrainingMix.Config config) {
        return new TrainingMix(knowledge, NATURAL, config);
    }

    ReferencePipeline pipeline(String run) {
        return new ReferencePipeline(PHASES, paths(run), tokenizer, this::mix);
    }

    ReferencePipeline.Paths paths(String run) {
        return new ReferencePipeline.Paths(root.resolve(run), root.resolve(run + "-model"), tokenizerDir, evalDir, null);
    }
}
