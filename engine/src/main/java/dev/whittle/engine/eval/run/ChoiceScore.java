package dev.whittle.engine.eval.run;

/**
 * One choice of a multiple-choice sample as scored.
 *
 * @param logLikelihood sum of the natural-log probabilities of the choice's tokens (delimiter included) after the prompt
 * @param tokens        tokens of the continuation scored
 * @param bytes         UTF-8 bytes of the choice's text (without the delimiter): acc_norm divides by them
 * @param greedy        every continuation token was the model's argmax
 */
public record ChoiceScore(String text, double logLikelihood, int tokens, int bytes, boolean greedy) {
}
