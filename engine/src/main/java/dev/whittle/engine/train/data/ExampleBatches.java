package dev.whittle.engine.train.data;

import dev.whittle.engine.train.ops.CrossEntropy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Micro-batches of prompt/response examples under a token budget, visited in a fresh seeded order every epoch.
 * Each example is one sequence (its prompt and response, cut to {@code maxLength} inputs): it feeds all but the
 * last token and predicts each next one, and only targets inside the response are scored.
 * <ul>
 *   <li>{@link Layout#PACKED}: examples are stacked as sequences of their own lengths; attention stays within
 *       each, so nothing is padded and no example sees another. A batch takes examples while their tokens fit the
 *       budget.</li>
 *   <li>{@link Layout#PADDED}: every sequence of a batch is padded to the longest (padding scores nothing, and
 *       trailing padding changes nothing before it under causal attention); the budget counts the padding.</li>
 * </ul>
 * A batch holds at least one example and never spans two epochs. Examples whose prompt fills the whole length, so
 * that no response token is left to score, are left out and counted ({@link #skipped()}).
 */
public final class ExampleBatches implements TrainingData {

    public enum Layout { PACKED, PADDED }

    /** The token fed where a padded sequence has no token (its target is ignored). */
    static final int PAD = 0;

    private final List<int[]> inputs = new ArrayList<>();
    private final List<int[]> targets = new ArrayList<>();
    private final int tokenBudget;
    private final int maxLength;
    private final Layout layout;
    private final int skipped;
    private EpochOrder order;

    /**
     * @param tokenBudget tokens per micro-batch (padding included when padded); at least {@code maxLength}
     * @param maxLength   the longest sequence fed; longer examples lose the end of their response
     */
    public ExampleBatches(List<SupervisedExample> examples, int tokenBudget, int maxLength, Layout layout, long seed) {
        if (maxLength < 1 || tokenBudget < maxLength) {
            throw new IllegalArgumentException("need maxLength >= 1 and a token budget of at least maxLength, got "
                    + maxLength + " and " + tokenBudget);
        }
        int left = 0;
        for (SupervisedExample example : examples) {
            int[] sequence = new int[example.length()];
            System.arraycopy(example.prompt(), 0, sequence, 0, example.prompt().length);
            System.arraycopy(example.response(), 0, sequence, example.prompt().length, example.response().length);
            int n = Math.min(sequence.length - 1, maxLength);
            if (example.prompt().length > n) {
                left++;
                continue;
            }
            int[] in = Arrays.copyOf(sequence, n);
            int[] target = new int[n];
            for (int i = 0; i < n; i++) {
                target[i] = i + 1 >= example.prompt().length ? sequence[i + 1] : CrossEntropy.IGNORE;
            }
            inputs.add(in);
            targets.add(target);
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("none of the " + examples.size() + " examples has a response token within "
                    + maxLength + " tokens");
        }
        this.tokenBudget = tokenBudget;
        this.maxLength = maxLength;
        this.layout = layout;
        this.skipped = left;
        this.order = EpochOrder.shuffled(inputs.size(), seed);
    }

    /** Every example once, in the given order, in batches of the budget: the held-out set. */
    public static List<TrainingBatch> inOrder(List<SupervisedExample> examples, int tokenBudget, int maxLength,
                                              Layout layout) {
        ExampleBatches batches = new ExampleBatches(examples, tokenBudget, maxLength, layout, 0);
        batches.order = EpochOrder.sequential(batches.exampleCount());
        List<TrainingBatch> out = new ArrayList<>();
        while (batches.order.remaining() > 0) {
            out.add(batches.next());
        }
        return out;
    }

    /** Examples kept (with at least one scored token). */
    public int exampleCount() {
        return inputs.size();
    }

    /** Examples left out because their prompt left no room for the response. */
    public int skipped() {
        return skipped;
    }

    @Override
    public int sequences() {
        return (tokenBudget + maxLength - 1) / maxLength;
    }

    @Override
    public int length() {
        return maxLength;
    }

    @Override
    public Position position() {
        return order.position();
    }

    @Override
    public void seek(Position position) {
        order.seek(position, "examples");
    }

    @Override
    public TrainingBatch next() {
        if (order.remaining() == 0) {
            order.nextEpoch();
        }
        List<Integer> chosen = new ArrayList<>();
        int tokens = 0;
        int longest = 0;
        while (order.remaining() > 0) {
            int length = inputs.get(order.peek()).length;
            int after = layout == Layout.PACKED ? tokens + length : (chosen.size() + 1) * Math.max(longest, length);
            if (!chosen.isEmpty() && after > tokenBudget) {
                break;
            }
            chosen.add(order.take());
            tokens += length;
            longest = Math.max(longest, length);
        }
        order.batchDrawn();
        return batch(chosen, longest);
    }

    private TrainingBatch batch(List<Integer> chosen, int longest) {
        int[] lengths = new int[chosen.size()];
        for (int s = 0; s < lengths.length; s++) {
            lengths[s] = layout == Layout.PACKED ? inputs.get(chosen.get(s)).length : longest;
        }
        int rows = Arrays.stream(lengths).sum();
        int[] in = new int[rows];
        int[] target = new int[rows];
        Arrays.fill(in, PAD);
        Arrays.fill(target, CrossEntropy.IGNORE);
        int row = 0;
        for (int s = 0; s < lengths.length; s++) {
            int[] example = inputs.get(chosen.get(s));
            System.arraycopy(example, 0, in, row, example.length);
            System.arraycopy(targets.get(chosen.get(s)), 0, target, row, example.length);
            row += lengths[s];
        }
        return new TrainingBatch(lengths, in, target);
    }
}
