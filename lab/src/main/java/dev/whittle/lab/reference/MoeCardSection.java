package dev.whittle.lab.reference;

import dev.whittle.engine.Progress;
import dev.whittle.lab.corpus.Arithmetic;
import dev.whittle.lab.corpus.KnowledgeCorpus;
import dev.whittle.lab.corpus.KnowledgeEvalSets;
import dev.whittle.lab.corpus.ReferenceRecipe;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the card of a Mixture-of-Experts reference model adds to the dense card: the arithmetic domain's accuracy on
 * held-out problems and the {@link RoutingStatistics} of five domains (fresh biography paraphrases, closed-book
 * questions, reading passages, WikiText-2 English, arithmetic), {@value #PER_DOMAIN} texts each.
 */
public final class MoeCardSection {

    static final int PER_DOMAIN = 100;
    private static final int NATURAL_CHARS = 1000;
    /** Biography paraphrases past any exposure a mix trains on. */
    private static final long FRESH_EXPOSURE = 1_000_000;

    private MoeCardSection() {
    }

    /** The five domains of the reference recipe, from its eval sets and WikiText-2 text. */
    public static List<RoutingStatistics.Domain> referenceDomains(Path evalDir, String wikiText) throws IOException {
        KnowledgeCorpus knowledge = ReferenceRecipe.knowledge();
        List<String> biographies = new ArrayList<>();
        for (int p = 0; p < Math.min(PER_DOMAIN, knowledge.peopleWithBiographies().size()); p++) {
            biographies.add(knowledge.biography(p, FRESH_EXPOSURE + p));
        }
        List<String> questions = KnowledgeEvalSets.read(evalDir.resolve(KnowledgeEvalSets.CLOSED_BOOK),
                KnowledgeEvalSets.ClosedBook.class).stream().limit(PER_DOMAIN).map(q -> q.prompt() + " " + q.answer())
                .toList();
        List<String> passages = KnowledgeEvalSets.read(evalDir.resolve(KnowledgeEvalSets.IN_CONTEXT),
                KnowledgeEvalSets.InContext.class).stream().limit(PER_DOMAIN).map(KnowledgeEvalSets.InContext::passage)
                .toList();
        List<String> natural = new ArrayList<>();
        for (int start = 0; natural.size() < PER_DOMAIN && start + NATURAL_CHARS <= wikiText.length();
             start += wikiText.length() / PER_DOMAIN) {
            natural.add(wikiText.substring(start, start + NATURAL_CHARS).strip());
        }
        List<String> arithmetic = new Arithmetic().heldOut().stream().limit(PER_DOMAIN).map(p -> p.question(0).text())
                .toList();
        return List.of(new RoutingStatistics.Domain("biographies", biographies),
                new RoutingStatistics.Domain("closed-book questions", questions),
                new RoutingStatistics.Domain("reading passages", passages),
                new RoutingStatistics.Domain("natural English (WikiText-2)", natural),
                new RoutingStatistics.Domain("arithmetic", arithmetic));
    }

    /** Measures the model in {@code folder} and appends the section to its card. */
    public static void append(Path folder, Decoder decoder, Path evalDir, String wikiText, Progress progress)
            throws IOException {
        try (Tokenizer tokenizer = Tokenizer.load(folder)) {
            ReferenceEvaluation.TaskScore arithmetic = new ReferenceEvaluation(decoder, tokenizer)
                    .arithmetic(new Arithmetic().heldOut(), progress);
            RoutingStatistics routing = RoutingStatistics.measure(decoder, tokenizer, referenceDomains(evalDir, wikiText));
            String md = String.format(Locale.ROOT, "%n## Mixture of experts%n%n%d experts per sparse layer, %d per token "
                            + "(Mixtral layout). Arithmetic on held-out problems: %.3f (%d / %d).%n%n",
                    decoder.config().moe().numExperts(), decoder.config().moe().numExpertsPerToken(),
                    arithmetic.accuracy(), arithmetic.correct(), arithmetic.total())
                    + routing.markdown();
            Files.writeString(folder.resolve(ReferenceExport.CARD), md, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
    }
}
