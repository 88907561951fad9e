package dev.whittle.engine.eval;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.KvCache;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import java.util.function.ObjIntConsumer;

/**
 * The log-likelihood of continuations given contexts, as multiple-choice and cloze evaluations need it:
 * {@code sum_j log p(continuation_j | context, continuation_<j)}, the per-token values, and whether every
 * continuation token is the model's argmax (greedy match).
 * <p>
 * Requests are batched across samples: whole sequences, sorted by length, are stacked into forwards of up to
 * {@code tokensPerForward} tokens, and continuations that share a context (the choices of one question) run the
 * context once (the contexts of many questions stacked in one forward): its last row scores every continuation's
 * first token, and the rest of each continuation extends a copy of its cache. For a small model
 * ({@link Decoder#runsSequencesPerThread}) the forwards run side by side, one per thread; every value is the same.
 */
public final class LogLikelihood {

    /** Token ids of a context (at least one token) and the continuation to score after it (at least one). */
    public record Request(int[] context, int[] continuation) {
        public Request {
            if (context.length == 0) {
                throw new IllegalArgumentException("a log-likelihood request needs a non-empty context (start with BOS)");
            }
            if (continuation.length == 0) {
                throw new IllegalArgumentException("a log-likelihood request needs a non-empty continuation");
            }
        }

        /**
         * Tokenizes as lm-evaluation-harness does: trailing whitespace of the context moves to the continuation,
         * the whole text is encoded once (bos in front when the model expects it) and split where the context's
         * own encoding ends, so the continuation's tokens are those the model sees after that context.
         */
        public static Request fromText(Tokenizer tokenizer, String context, String continuation) {
            return fromText(tokenizer, context, List.of(continuation)).getFirst();
        }

        /**
         * {@link #fromText(Tokenizer, String, String)} for each of several continuations of one context, whose own
         * encoding (where each is split) is computed once.
         */
        public static List<Request> fromText(Tokenizer tokenizer, String context, List<String> continuations) {
            String trimmed = context.stripTrailing();
            int contextLength = tokenizer.encode(trimmed, true).length;
            List<Request> requests = new ArrayList<>(continuations.size());
            for (String continuation : continuations) {
                requests.add(split(tokenizer, context, trimmed, contextLength, continuation));
            }
            return requests;
        }

        private static Request split(Tokenizer tokenizer, String context, String trimmed, int contextLength,
                                     String continuation) {
            String moved = context.substring(trimmed.length()) + continuation;
            int[] whole = tokenizer.encode(trimmed + moved, true);
            if (contextLength == 0) {
                throw new IllegalArgumentException("the context '" + context + "' encodes to no tokens and the model adds no bos");
            }
            if (contextLength >= whole.length) {
                throw new IllegalArgumentException("the continuation '" + continuation + "' adds no tokens to the context");
            }
            return new Request(Arrays.copyOf(whole, contextLength), Arrays.copyOfRange(whole, contextLength, whole.length));
        }
    }

    /** {@code logLikelihood} is the sum of {@code tokenLogProbs} (natural log); greedy: every token was the argmax. */
    public record Result(double logLikelihood, double[] tokenLogProbs, boolean greedy) {
    }

    private final Decoder decoder;
    private final int tokensPerForward;
    private final ForwardScratch scratch;

    public LogLikelihood(Decoder decoder, int tokensPerForward) {
        if (tokensPerForward <= 0) {
            throw new IllegalArgumentException("tokensPerForward must be positive, got " + tokensPerForward);
        }
        this.decoder = decoder;
        this.tokensPerForward = tokensPerForward;
        this.scratch = new ForwardScratch(decoder);
    }

    public LogLikelihood(Decoder decoder) {
        this(decoder, 2048);
    }

    /** One result per request, in request order. */
    public List<Result> score(List<Request> requests, Progress progress) {
        Result[] results = new Result[requests.size()];
        Map<ContextKey, List<Integer>> byContext = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            byContext.computeIfAbsent(new ContextKey(requests.get(i).context()), k -> new ArrayList<>()).add(i);
        }
        List<Pending> pending = new ArrayList<>();
        List<List<Integer>> shared = new ArrayList<>();
        for (List<Integer> group : byContext.values()) {
            if (group.size() > 1) {
                shared.add(group);
            } else {
                Request r = requests.get(group.getFirst());
                pending.add(new Pending(group.getFirst(), concat(r.context(), r.continuation(), r.continuation().length - 1),
                        r.context().length - 1, r.continuation(), null, new double[r.continuation().length],
                        new boolean[r.continuation().length], 0));
            }
        }
        int[] done = {0};
        pending.addAll(sharedContextTails(requests, shared, results, progress, done));
        // Sorted by length, so each forward stacks sequences of similar length.
        pending.sort(Comparator.comparingInt(p -> p.tokens.length));
        runInBatches(pending, results, progress, done, requests.size());
        return Arrays.asList(results);
    }

    /**
     * The shared contexts run stacked into one cache each (as many per forward as the token budget allows); the last
     * row of each scores the first token of every continuation of that context, which for a one-token continuation
     * (the letter of a multiple-choice answer) is the whole result. Each longer continuation becomes a tail of its
     * other tokens that extends a copy of its context's cache.
     */
    private List<Pending> sharedContextTails(List<Request> requests, List<List<Integer>> groups, Result[] results,
                                             Progress progress, int[] done) {
        List<int[]> forwards = slices(groups.size(), g -> requests.get(groups.get(g).getFirst()).context().length);
        List<List<Pending>> tails = new ArrayList<>();
        forwards.forEach(f -> tails.add(new ArrayList<>()));
        Progress shared = Progress.synchronizedView(progress);
        ForwardScratch.run(decoder, forwards.size(), this.scratch, (scratch, f) -> {
            int start = forwards.get(f)[0];
            int end = forwards.get(f)[1];
            List<int[]> contexts = new ArrayList<>();
            List<KvCache> caches = new ArrayList<>();
            for (int g = start; g < end; g++) {
                int[] context = requests.get(groups.get(g).getFirst()).context();
                contexts.add(context);
                caches.add(decoder.newCache(context.length));
            }
            shared.checkCancelled();
            Batch batch = Batch.continuing(contexts, caches);
            decoder.forward(batch, scratch.state(), ForwardHooks.NONE);
            for (int g = start; g < end; g++) {
                for (int i : groups.get(g)) {
                    int[] continuation = requests.get(i).continuation();
                    double[] logProbs = new double[continuation.length];
                    boolean[] greedy = new boolean[continuation.length];
                    scratch.scorer().score(scratch.state(), batch.lastRow(g - start), 1, continuation, 0, logProbs, greedy, 0);
                    if (continuation.length == 1) {
                        results[i] = result(logProbs, greedy);
                    } else {
                        tails.get(f).add(new Pending(i, Arrays.copyOf(continuation, continuation.length - 1), 0,
                                continuation, caches.get(g - start), logProbs, greedy, 1));
                    }
                }
            }
        });
        List<Pending> all = new ArrayList<>();
        tails.forEach(all::addAll); // in the order of the forwards, as one thread would have made them
        for (List<Integer> group : groups) {
            done[0] += group.size();
        }
        done[0] -= all.size();
        return all;
    }

    /**
     * Runs sequences stacked up to the token budget; row {@code firstScoredRow + j} of each predicts continuation
     * token {@code firstTarget + j}.
     */
    private void runInBatches(List<Pending> pending, Result[] results, Progress progress, int[] done, int total) {
        List<int[]> forwards = slices(pending.size(), p -> pending.get(p).tokens.length);
        Progress shared = Progress.synchronizedView(progress);
        AtomicInteger finished = new AtomicInteger(done[0]);
        ForwardScratch.run(decoder, forwards.size(), this.scratch, (scratch, f) -> {
            List<Pending> slice = pending.subList(forwards.get(f)[0], forwards.get(f)[1]);
            List<int[]> sequences = new ArrayList<>();
            List<KvCache> caches = new ArrayList<>();
            for (Pending p : slice) {
                sequences.add(p.tokens);
                // Each continuation extends its own copy of the shared context, made only when its batch runs.
                caches.add(p.prefix == null ? null : p.prefix.copy(p.tokens.length));
            }
            shared.checkCancelled();
            Batch batch = Batch.continuing(sequences, caches);
            decoder.forward(batch, scratch.state(), ForwardHooks.NONE);
            for (int s = 0; s < slice.size(); s++) {
                Pending p = slice.get(s);
                int m = p.continuation.length - p.firstTarget;
                scratch.scorer().score(scratch.state(), batch.rowStart(s) + p.firstScoredRow, m, p.continuation,
                        p.firstTarget, p.logProbs, p.greedy, p.firstTarget);
                results[p.request] = result(p.logProbs, p.greedy);
            }
            shared.report("loglikelihood", finished.addAndGet(slice.size()), total, null);
        });
        done[0] = finished.get();
    }

    /**
     * Consecutive {@code [start, end)} runs of items {@code 0 .. n-1} whose tokens ({@code length} of each) fit the
     * token budget together; an item longer than the budget runs alone.
     */
    private List<int[]> slices(int n, IntUnaryOperator length) {
        List<int[]> slices = new ArrayList<>();
        int start = 0;
        while (start < n) {
            int end = start;
            long tokens = 0;
            while (end < n && (end == start || tokens + length.applyAsInt(end) <= tokensPerForward)) {
                tokens += length.applyAsInt(end);
                end++;
            }
            slices.add(new int[] {start, end});
            start = end;
        }
        return slices;
    }

    private static Result result(double[] logProbs, boolean[] greedy) {
        double sum = 0;
        boolean allGreedy = true;
        for (int j = 0; j < logProbs.length; j++) {
            sum += logProbs[j];
            allGreedy &= greedy[j];
        }
        return new Result(sum, logProbs, allGreedy);
    }

    /** {@code a} followed by the first {@code bCount} tokens of {@code b}. */
    private static int[] concat(int[] a, int[] b, int bCount) {
        int[] out = Arrays.copyOf(a, a.length + bCount);
        System.arraycopy(b, 0, out, a.length, bCount);
        return out;
    }

    /**
     * A sequence to run: its rows from {@code firstScoredRow} predict the continuation from token {@code firstTarget}
     * (the tokens before it scored already, into {@code logProbs} and {@code greedy}).
     */
    private record Pending(int request, int[] tokens, int firstScoredRow, int[] continuation, KvCache prefix,
                           double[] logProbs, boolean[] greedy, int firstTarget) {
    }

    /** Token arrays compared by content. */
    private record ContextKey(int[] tokens) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ContextKey other && Arrays.equals(tokens, other.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }
}
