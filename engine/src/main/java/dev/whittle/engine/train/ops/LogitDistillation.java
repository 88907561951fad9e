package dev.whittle.engine.train.ops;

import dev.whittle.engine.tensor.Ops;
import dev.whittle.engine.tensor.Parallel;

/**
 * Knowledge distillation on next-token logits (Hinton et al. 2015; Minitron): on each scored row (target not
 * {@link CrossEntropy#IGNORE}) the loss is
 * <pre>
 *   alpha * CE(s, target) + (1 - alpha) * T^2 * KL(softmax(t / T) || softmax(s / T))
 * </pre>
 * with s the student's logits and t the teacher's. The soft term's gradient shrinks as {@code 1/T^2} when T grows;
 * the {@code T^2} factor keeps it on the scale of the hard term's, so alpha means the same at every temperature. Gradient with respect to s:
 * {@code alpha (softmax(s) - onehot(target)) + (1 - alpha) T (softmax(s/T) - softmax(t/T))}.
 */
public final class LogitDistillation {

    private static final int ROW_CHUNK = 8;

    /**
     * @param temperature T > 0 (1: the distributions as they are; higher softens both)
     * @param alpha       the weight of cross-entropy against the data's tokens, in [0, 1]; 0 is pure distillation
     */
    public record Config(double temperature, double alpha) {
        public Config {
            if (!(temperature > 0) || !(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("need temperature > 0 and alpha in [0, 1], got " + temperature
                        + " and " + alpha);
            }
        }
    }

    private LogitDistillation() {
    }

    /** The summed loss over scored rows, accumulated in double in row order (the same on any thread count). */
    public static double forward(int rows, int vocab, float[] student, int studentOff, float[] teacher, int teacherOff,
                                 int[] targets, int targetsOff, Config config) {
        double[] losses = new double[rows];
        float t = (float) config.temperature();
        double soft = (1 - config.alpha()) * config.temperature() * config.temperature();
        Parallel.forChunks(rows, ROW_CHUNK, (r0, r1) -> {
            float[] logS = new float[vocab];
            float[] logT = new float[vocab];
            for (int r = r0; r < r1; r++) {
                int target = targets[targetsOff + r];
                if (target == CrossEntropy.IGNORE) {
                    continue;
                }
                int s = studentOff + r * vocab;
                double loss = 0;
                if (config.alpha() > 0) {
                    loss += config.alpha() * (Ops.logSumExp(student, s, vocab) - student[s + target]);
                }
                if (soft > 0) {
                    scaledLogSoftmax(student, s, vocab, t, logS);
                    scaledLogSoftmax(teacher, teacherOff + r * vocab, vocab, t, logT);
                    double kl = 0;
                    for (int i = 0; i < vocab; i++) {
                        kl += Math.exp(logT[i]) * ((double) logT[i] - logS[i]);
                    }
                    loss += soft * kl;
                }
                losses[r] = loss;
            }
        });
        double sum = 0;
        for (double loss : losses) {
            sum += loss;
        }
        return sum;
    }

    /**
     * {@code dStudent = scale * d(loss)/d(student)} on scored rows, zero on ignored ones; dStudent may be the
     * student's logits themselves (each row is read before it is written).
     */
    public static void backward(int rows, int vocab, float[] student, int studentOff, float[] teacher, int teacherOff,
                                int[] targets, int targetsOff, Config config, float scale, float[] dStudent,
                                int dStudentOff) {
        float t = (float) config.temperature();
        float hard = (float) (scale * config.alpha());
        float soft = (float) (scale * (1 - config.alpha()) * config.temperature());
        Parallel.forChunks(rows, ROW_CHUNK, (r0, r1) -> {
            float[] pS = new float[vocab];
            float[] pT = new float[vocab];
            float[] p = new float[vocab];
            for (int r = r0; r < r1; r++) {
                int target = targets[targetsOff + r];
                int d = dStudentOff + r * vocab;
                if (target == CrossEntropy.IGNORE) {
                    java.util.Arrays.fill(dStudent, d, d + vocab, 0f);
                    continue;
                }
                int s = studentOff + r * vocab;
                scaledSoftmax(student, s, vocab, t, pS);
                scaledSoftmax(teacher, teacherOff + r * vocab, vocab, t, pT);
                System.arraycopy(student, s, p, 0, vocab);
                Ops.softmax(p, 0, vocab);
                for (int i = 0; i < vocab; i++) {
                    dStudent[d + i] = hard * p[i] + soft * (pS[i] - pT[i]);
                }
                dStudent[d + target] -= hard;
            }
        });
    }

    private static void scaledLogSoftmax(float[] logits, int off, int vocab, float temperature, float[] out) {
        for (int i = 0; i < vocab; i++) {
            out[i] = logits[off + i] / temperature;
        }
        Ops.logSoftmax(out, 0, vocab, out, 0);
    }

    private static void scaledSoftmax(float[] logits, int off, int vocab, float temperature, float[] out) {
        for (int i = 0; i < vocab; i++) {
            out[i] = logits[off + i] / temperature;
        }
        Ops.softmax(out, 0, vocab);
    }
}
