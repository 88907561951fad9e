package dev.whittle.engine.train.data;

import dev.whittle.engine.eval.LogLikelihood;
import dev.whittle.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One prompt/response pair as token ids: training feeds {@code prompt ++ response} and takes loss on the
 * response's tokens only.
 */
public record SupervisedExample(int[] prompt, int[] response) {

    public SupervisedExample {
        if (prompt.length == 0 || response.length == 0) {
            throw new IllegalArgumentException("an example needs a prompt and a response of at least one token each, got "
                    + prompt.length + " and " + response.length);
        }
    }

    /**
     * Tokenized as lm-evaluation-harness splits a context from its continuation (whitespace at the prompt's end
     * moves to the response, the whole text is encoded once), with the tokenizer's end-of-sequence token appended
     * when it has one, so that the model learns to stop after the answer; not when the response already ends with
     * one (a chat template's end of turn, such as Llama 3's {@code <|eot_id|>}).
     */
    public static SupervisedExample of(Tokenizer tokenizer, String prompt, String response) {
        LogLikelihood.Request request = LogLikelihood.Request.fromText(tokenizer, prompt, response);
        int[] answer = request.continuation();
        if (!tokenizer.eosTokenIds().isEmpty() && !tokenizer.isEos(answer[answer.length - 1])) {
            answer = Arrays.copyOf(answer, answer.length + 1);
            answer[answer.length - 1] = tokenizer.eosTokenIds().stream().mapToInt(Integer::intValue).min().orElseThrow();
        }
        return new SupervisedExample(request.context(), answer);
    }

    public int length() {
        return prompt.length + response.length;
    }

    /** Examples for training and the held-out rest, for the validation loss. */
    public record Split(List<SupervisedExample> training, List<SupervisedExample> heldOut) {
    }

    /**
     * A seeded random {@code heldOutFraction} of the examples (at least one when the fraction is positive, never
     * all of them) held out; both parts keep the examples' original order.
     */
    public static Split split(List<SupervisedExample> examples, double heldOutFraction, long seed) {
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("the held-out fraction must be in [0, 1), got " + heldOutFraction);
        }
        int n = examples.size();
        int heldOut = heldOutFraction == 0 ? 0 : (int) Math.max(1, Math.round(n * heldOutFraction));
        if (heldOut >= n && heldOut > 0) {
            throw new IllegalArgumentException("holding out " + heldOut + " of " + n + " examples leaves none to train on");
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        new SplitMix64(seed).shuffle(order);
        boolean[] held = new boolean[n];
        for (int i = 0; i < heldOut; i++) {
            held[order[i]] = true;
        }
        List<SupervisedExample> train = new ArrayList<>();
        List<SupervisedExample> rest = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (held[i] ? rest : train).add(examples.get(i));
        }
        return new Split(List.copyOf(train), List.copyOf(rest));
    }
}
