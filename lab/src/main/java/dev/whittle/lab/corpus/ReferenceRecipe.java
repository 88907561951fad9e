package dev.whittle.lab.corpus;

import dev.whittle.engine.Progress;
import dev.whittle.engine.tokenizer.BpeModel;
import dev.whittle.engine.tokenizer.BpeSpecialTokens;
import dev.whittle.engine.tokenizer.BpeTokenizerFiles;
import dev.whittle.engine.tokenizer.BpeTrainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The data recipe of the reference model (reference/README.md): which knowledge corpus, which mix, which
 * tokenizer. Run as a program it writes the evaluation sets or trains the tokenizer:
 * <pre>
 *   ReferenceRecipe eval-sets reference/eval
 *   ReferenceRecipe tokenizer reference/tokenizer     (needs the natural-text cache: scripts/fetch-corpus.sh)
 *   ReferenceRecipe composition                       (document and character counts of the mix)
 * </pre>
 */
public final class ReferenceRecipe {

    /** Tokens in the reference tokenizer, special tokens included. */
    public static final int VOCAB_SIZE = 4096;
    /** The reference model's context length, recorded as the tokenizer's model_max_length. */
    public static final int CONTEXT_LENGTH = 256;

    private ReferenceRecipe() {
    }

    public static KnowledgeCorpus knowledge() {
        return new KnowledgeCorpus(KnowledgeCorpus.Config.reference(), KnowledgePools.standard());
    }

    /** The reference pretraining mix over the natural-text cache in {@code cacheDirectory}, which must be present. */
    public static TrainingMix mix(Path cacheDirectory) {
        return mix(cacheDirectory, TrainingMix.Config.reference());
    }

    /** A mix of the reference corpus with {@code config}, over the natural-text cache, which must be present. */
    public static TrainingMix mix(Path cacheDirectory, TrainingMix.Config config) {
        NaturalTextCache cache = new NaturalTextCache(cacheDirectory).requirePresent();
        return new TrainingMix(knowledge(), NaturalText.passages(cache, NaturalText.DEFAULT_PASSAGE_CHARS), config);
    }

    /**
     * A byte-level BPE tokenizer trained on the whole mix, documents as the model sees them; so merges follow
     * the frequencies of the training stream.
     */
    public static BpeModel trainTokenizer(TrainingMix mix, int vocabSize, Progress progress) {
        BpeTrainer trainer = new BpeTrainer(new BpeTrainer.Options(vocabSize, 2, BpeSpecialTokens.endOfText()));
        Iterator<String> texts = new Iterator<>() {
            private final Iterator<TrainingMix.Document> documents = mix.documents(0);

            @Override
            public boolean hasNext() {
                return documents.hasNext();
            }

            @Override
            public String next() {
                return documents.next().text();
            }
        };
        trainer.addAll(texts, progress);
        return trainer.train(progress);
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || !List.of("eval-sets", "tokenizer", "composition").contains(args[0])
                || (!args[0].equals("composition") && args.length < 2)) {
            System.err.println("usage: ReferenceRecipe eval-sets DIR | tokenizer DIR | composition  "
                    + "[natural-text cache, default " + NaturalTextCache.DEFAULT_DIRECTORY + ", via -Dwhittle.corpus.cache]");
            System.exit(2);
        }
        Path cache = Path.of(System.getProperty("whittle.corpus.cache", NaturalTextCache.DEFAULT_DIRECTORY.toString()));
        Progress progress = (stage, done, total, message) -> { };
        switch (args[0]) {
            case "eval-sets" -> {
                Map<String, Integer> counts = KnowledgeEvalSets.write(knowledge(), Path.of(args[1]));
                counts.forEach((file, n) -> System.out.println(file + ": " + n));
            }
            case "tokenizer" -> {
                long start = System.nanoTime();
                BpeModel model = trainTokenizer(mix(cache), VOCAB_SIZE, progress);
                BpeTokenizerFiles.write(model, Path.of(args[1]), true, CONTEXT_LENGTH);
                System.out.printf("tokenizer: %d tokens, %d merges, %.1f s -> %s%n", model.vocabSize(),
                        model.merges().size(), (System.nanoTime() - start) / 1e9, args[1]);
            }
            default -> {
                TrainingMix.Composition composition = mix(cache).composition();
                System.out.println("documents: " + composition.documents());
                System.out.println("characters: " + composition.characters()
                        + " total " + composition.totalCharacters());
            }
        }
    }
}
