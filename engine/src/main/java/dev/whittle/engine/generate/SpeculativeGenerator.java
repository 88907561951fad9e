package dev.whittle.engine.generate;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.KvCache;
import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Speculative decoding with greedy verification: a small draft model proposes {@code k} tokens one at a time
 * with its own KV cache, the target runs the last accepted token and the {@code k} proposals in one forward, and
 * the longest prefix of proposals that equals the target's own argmax is accepted, followed by the target's next
 * token. Both caches are cut back to the accepted positions. The tokens are therefore exactly the target's greedy
 * tokens; what the draft changes is how many target forwards they take.
 * <pre>
 *   committed = prompt + [argmax target(prompt)]
 *   repeat: d_1..d_k = draft greedy after committed
 *           p_0..p_k = argmax target(last committed, d_1..d_k)      (one forward)
 *           a = longest i with d_1..d_i = p_0..p_{i-1};  committed += d_1..d_a, p_a
 * </pre>
 */
public final class SpeculativeGenerator {

    /** What verification accepted: per target forward after the prefill, the draft tokens it kept. */
    public record Acceptance(int rounds, long proposed, long accepted) {

        /** Accepted over proposed draft tokens (1 when nothing was proposed: nothing was refused). */
        public double rate() {
            return proposed == 0 ? 1 : (double) accepted / proposed;
        }

        /**
         * Tokens gained per verification round: the accepted proposals plus the target's own, in [1, k + 1] (1 when
         * no round ran: the prefill's token was all there was).
         */
        public double meanAcceptedLength() {
            return rounds == 0 ? 1 : (double) (accepted + rounds) / rounds;
        }
    }

    public record Result(Generator.Result generation, Acceptance acceptance) {
    }

    private final Decoder target;
    private final Decoder draft;
    private final Tokenizer tokenizer;

    /** {@code draft} and {@code target} must share the tokenizer; their vocabularies must have one size. */
    public SpeculativeGenerator(Decoder target, Decoder draft, Tokenizer tokenizer) {
        if (target.vocabSize() != draft.vocabSize()) {
            throw new IllegalArgumentException("the draft's vocabulary (" + draft.vocabSize()
                    + " tokens) differs from the target's (" + target.vocabSize() + ")");
        }
        this.target = target;
        this.draft = draft;
        this.tokenizer = tokenizer;
    }

    /**
     * Generates greedily after {@code prompt} with draft length {@code k}: the same tokens, text and stop reason as
     * {@link Generator#generate} with {@code settings} on the target alone. The settings must be greedy.
     */
    public Result generate(int[] prompt, Generator.Settings settings, int k, Consumer<String> onText,
                           Progress progress) {
        return generate(prompt, settings, DraftPolicy.fixed(k), onText, progress);
    }

    /**
     * As {@link #generate(int[], Generator.Settings, int, Consumer, Progress)}, with each round's draft length chosen
     * by {@code policy} (at most its {@code maxLength}), which learns from every verification.
     */
    public Result generate(int[] prompt, Generator.Settings settings, DraftPolicy policy, Consumer<String> onText,
                           Progress progress) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty (no tokens to start from)");
        }
        if (settings.temperature() != 0) {
            throw new IllegalArgumentException("speculative decoding verifies greedily: temperature must be 0, got "
                    + settings.temperature());
        }
        int k = policy.maxLength();
        TextEmission emission = new TextEmission(tokenizer, settings, onText);
        int[] committed = Arrays.copyOf(prompt, prompt.length + settings.maxTokens() + k + 1);
        int length = prompt.length;
        KvCache targetCache = target.newCache(committed.length);
        KvCache draftCache = draft.newCache(committed.length);
        ForwardState targetState = ForwardState.forInference();
        ForwardState draftState = ForwardState.forInference();
        int vocab = target.vocabSize();

        long start = System.nanoTime();
        int next = emission.finished() ? -1
                : Ops.argmax(target.lastLogits(continuing(prompt, targetCache), targetState).getFirst(), 0, vocab);
        long prefillEnd = System.nanoTime();
        // Invariant: committed[0, length) is final; the target's cache holds all of it but the last token.
        int rounds = 0;
        long proposed = 0;
        long accepted = 0;
        if (next >= 0 && emission.accept(next)) {
            committed[length++] = next;
        }
        while (!emission.finished()) {
            progress.checkCancelled();
            int[] proposal = propose(committed, length, policy, draftCache, draftState);
            int n = proposal.length;
            int[] verified = new int[n + 1];
            verified[0] = committed[length - 1];
            System.arraycopy(proposal, 0, verified, 1, n);
            int before = targetCache.length();
            target.forward(continuing(verified, targetCache), targetState, ForwardHooks.NONE);
            float[] logits = new float[(n + 1) * vocab];
            target.logits(targetState, 0, n + 1, logits, 0, ForwardHooks.NONE);
            int a = 0;
            while (a < n && proposal[a] == Ops.argmax(logits, a * vocab, vocab)) {
                a++;
            }
            policy.verified(n, a);
            rounds++;
            proposed += n;
            accepted += a;
            targetCache.truncate(before + 1 + a);
            // committed[length - 1] and d_1..d_a are now in the target's cache; the draft keeps what it had of them.
            draftCache.truncate(Math.min(draftCache.length(), length + a));
            int[] gained = Arrays.copyOf(proposal, a + 1);
            gained[a] = Ops.argmax(logits, a * vocab, vocab);
            for (int token : gained) {
                if (!emission.accept(token)) {
                    break;
                }
                committed[length++] = token;
            }
            progress.report("generate", emission.count(), settings.maxTokens(), null);
        }
        emission.finish();
        long end = System.nanoTime();
        Generator.Result generation = new Generator.Result(emission.tokens(), emission.text(), emission.reason(),
                prompt.length, (prefillEnd - start) / 1e9, (end - prefillEnd) / 1e9);
        return new Result(generation, new Acceptance(rounds, proposed, accepted));
    }

    /**
     * The draft's greedy tokens after {@code committed[0, length)}, until the round's stop rule ends it or
     * {@code maxLength} are proposed: it first runs whatever of the committed tokens its cache lacks, then each
     * proposal but the last.
     */
    private int[] propose(int[] committed, int length, DraftPolicy policy, KvCache cache, ForwardState state) {
        DraftPolicy.StopRule rule = policy.nextRound();
        int[] proposal = new int[policy.maxLength()];
        int[] pending = Arrays.copyOfRange(committed, cache.length(), length);
        DraftStep step = null;
        for (int i = 0; i < proposal.length; i++) {
            float[] logits = draft.lastLogits(continuing(pending, cache), state).getFirst();
            proposal[i] = Ops.argmax(logits, 0, logits.length);
            if (rule != DraftPolicy.StopRule.NEVER && i + 1 < proposal.length) {
                step = DraftStep.of(step, logits, 0, logits.length);
                if (rule.stop(step)) {
                    return Arrays.copyOf(proposal, i + 1);
                }
            }
            pending = new int[] {proposal[i]};
        }
        return proposal;
    }

    private static Batch continuing(int[] tokens, KvCache cache) {
        return Batch.continuing(List.of(tokens), List.of(cache));
    }
}
