package dev.whittle.engine.generate;

import dev.whittle.engine.Progress;
import dev.whittle.engine.model.Batch;
import dev.whittle.engine.model.Decoder;
import dev.whittle.engine.model.ForwardState;
import dev.whittle.engine.model.KvCache;
import dev.whittle.engine.tensor.Gemm;
import dev.whittle.engine.tensor.Parallel;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many generations at once (continuous batching): up to {@code maxSequences} sequences, each with its own
 * {@link KvCache}, settings, stop strings and token limit, advance together one token per forward, so a decode
 * step reads the weights once for the whole batch instead of once per sequence. A finished sequence leaves the
 * batch; when half of it has left, waiting prompts are prefilled together (shortest first, in as many forwards as
 * the grouping below needs) until the batch is full again.
 * <p>
 * Each sequence gets the tokens {@link Generator} would give it alone, bit for bit: every row of a forward is
 * computed independently of the other rows, and prompts are grouped so that a prefill forward takes the same
 * matrix-product path as the prompt would alone ({@link Gemm#sameRowResults}). (Not so for a mixture of experts:
 * how many rows an expert gets depends on the whole batch, so its products may take another path and differ in the
 * last bits.)
 */
public final class BatchGenerator {

    /** One prompt (at least one token) and how to continue it. */
    public record Request(int[] prompt, Generator.Settings settings) {
        public Request {
            if (prompt.length == 0) {
                throw new IllegalArgumentException("the prompt is empty (no tokens to start from)");
            }
        }
    }

    /** Most prompt tokens prefilled in one forward (bounds the activations of a prefill). */
    static final int PREFILL_TOKENS = 4096;

    private final Decoder decoder;
    private final Tokenizer tokenizer;
    private final int maxSequences;

    public BatchGenerator(Decoder decoder, Tokenizer tokenizer, int maxSequences) {
        if (maxSequences < 1) {
            throw new IllegalArgumentException("a batch needs room for at least one sequence, got " + maxSequences);
        }
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.maxSequences = maxSequences;
    }

    /**
     * One result per request, in request order; progress counts finished sequences. A small model
     * ({@link Decoder#runsSequencesPerThread}) runs one batch per thread, each refilled from the one queue of
     * prompts (shortest first), {@code maxSequences} shared between them: each sequence's tokens are the same either
     * way.
     */
    public List<Generator.Result> generate(List<Request> requests, Progress progress) {
        Generator.Result[] results = new Generator.Result[requests.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> requests.get(i).prompt().length));
        int batches = decoder.runsSequencesPerThread()
                ? Math.min(Math.min(Parallel.threads(), maxSequences), requests.size()) : 1;
        Deque<Running> waiting = new ArrayDeque<>();
        for (int i : order) {
            waiting.add(new Running(i, requests.get(i)));
        }
        Progress shared = Progress.synchronizedView(progress);
        AtomicInteger finished = new AtomicInteger();
        int room = (maxSequences + batches - 1) / batches;
        if (batches == 1) {
            run(waiting, room, ForwardState.forInference(), results, finished, requests.size(), shared);
        } else {
            Parallel.forEach(batches, ForwardState::forInference,
                    (state, b) -> run(waiting, room, state, results, finished, requests.size(), shared));
        }
        return Arrays.asList(results);
    }

    /**
     * Generates waiting prompts with up to {@code room} sequences at once, on {@code state}, until none is left;
     * batches on other threads take from the same queue (under its lock), so they run out of work together.
     */
    private void run(Deque<Running> waiting, int room, ForwardState state, Generator.Result[] results,
                     AtomicInteger finished, int total, Progress progress) {
        List<Running> active = new ArrayList<>();
        boolean refilling = false;
        while (!active.isEmpty() || hasWaiting(waiting)) {
            progress.checkCancelled();
            // A refill, once begun, goes on until the batch is full: a prefill group may take only a few prompts.
            refilling = active.size() < room && (refilling || active.size() <= room / 2) && hasWaiting(waiting);
            List<Running> joining = refilling ? prefillGroup(waiting, room - active.size()) : List.of();
            if (!joining.isEmpty()) {
                long start = System.nanoTime();
                List<float[]> logits = step(joining, true, state);
                double seconds = (System.nanoTime() - start) / 1e9;
                for (int s = 0; s < joining.size(); s++) {
                    Running r = joining.get(s);
                    r.prefillSeconds = seconds;
                    r.take(logits.get(s));
                    active.add(r);
                }
            } else if (!active.isEmpty()) { // (empty when another batch took the last prompts meanwhile)
                long start = System.nanoTime();
                List<float[]> logits = step(active, false, state);
                double seconds = (System.nanoTime() - start) / 1e9;
                for (int s = 0; s < active.size(); s++) {
                    active.get(s).decodeSeconds += seconds;
                    active.get(s).take(logits.get(s));
                }
            }
            int[] ended = {0};
            active.removeIf(r -> {
                if (r.emission.finished()) {
                    r.emission.finish();
                    results[r.index] = r.result();
                    ended[0]++;
                    return true;
                }
                return false;
            });
            progress.report("generate", finished.addAndGet(ended[0]), total, null);
        }
    }

    private static boolean hasWaiting(Deque<Running> waiting) {
        synchronized (waiting) {
            return !waiting.isEmpty();
        }
    }

    /** {@link #takeGroup} under the queue's lock. */
    private static List<Running> prefillGroup(Deque<Running> waiting, int room) {
        synchronized (waiting) {
            return takeGroup(waiting, room);
        }
    }

    /**
     * The shortest waiting prompts, at most {@code room} of them and {@link #PREFILL_TOKENS} tokens, for which the
     * stacked forward computes each row as the prompt's own forward would.
     */
    private static List<Running> takeGroup(Deque<Running> waiting, int room) {
        List<Running> group = new ArrayList<>();
        int rows = 0;
        while (!waiting.isEmpty() && group.size() < room) {
            int length = waiting.peekFirst().request.prompt().length;
            int total = rows + length;
            boolean fits = group.isEmpty() || (total <= PREFILL_TOKENS && Gemm.sameRowResults(length, total)
                    && Gemm.sameRowResults(group.getFirst().request.prompt().length, total));
            if (!fits) {
                break;
            }
            group.add(waiting.pollFirst());
            rows = total;
        }
        return group;
    }

    /** One forward: each sequence's prompt (prefill) or its last chosen token; the logits of each one's last row. */
    private List<float[]> step(List<Running> sequences, boolean prefill, ForwardState state) {
        List<int[]> tokens = new ArrayList<>(sequences.size());
        List<KvCache> caches = new ArrayList<>(sequences.size());
        for (Running r : sequences) {
            if (prefill) {
                r.cache = decoder.newCache(r.request.prompt().length + r.request.settings().maxTokens());
                tokens.add(r.request.prompt());
            } else {
                tokens.add(new int[] {r.next});
            }
            caches.add(r.cache);
        }
        return decoder.lastLogits(Batch.continuing(tokens, caches), state);
    }

    /** A sequence's generation state. */
    private final class Running {
        final int index;
        final Request request;
        final Sampler sampler;
        final TextEmission emission;
        KvCache cache;
        int next;
        double prefillSeconds;
        double decodeSeconds;

        Running(int index, Request request) {
            this.index = index;
            this.request = request;
            Generator.Settings settings = request.settings();
            this.sampler = new Sampler(settings.temperature(), settings.topP(), settings.seed());
            this.emission = new TextEmission(tokenizer, settings, text -> { });
        }

        /** Chooses the next token from the logits; afterwards either it is pending or the sequence has finished. */
        void take(float[] logits) {
            if (emission.finished()) { // max tokens 0: nothing to choose
                return;
            }
            int token = sampler.sample(logits);
            if (emission.accept(token)) {
                next = token;
            }
        }

        Generator.Result result() {
            cache = null;
            return new Generator.Result(emission.tokens(), emission.text(), emission.reason(),
                    request.prompt().length, prefillSeconds, decodeSeconds);
        }
    }
}
