package dev.whittle.engine.prune.width;

import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.SelfAttention;
import dev.whittle.engine.model.SwiGluMlp;

/**
 * One decoder block cut down to some of its MLP channels and key-value head groups, as new dense arrays: gate and
 * up keep the kept channels' rows and down their columns; q keeps the rows of the kept groups' query heads, k and v
 * those of the kept KV heads, o the columns of the kept query heads (biases alike). A per-head q/k norm is shared by
 * every head and stays; a whole-projection one keeps the kept heads' entries. The kept units keep their order, so
 * query head {@code j * perGroup + i} still reads KV head {@code j} as grouped-query attention assigns them.
 */
final class WidthSlicing {

    private WidthSlicing() {
    }

    /** {@code block} with only {@code channels} of its MLP and {@code groups} of its KV heads (ascending). */
    static DecoderBlock slice(DecoderBlock block, int[] channels, int[] groups) {
        SwiGluMlp mlp = (SwiGluMlp) block.mlp();
        SwiGluMlp narrower = new SwiGluMlp(rows(mlp.gate(), channels, 1), rows(mlp.up(), channels, 1),
                columns(mlp.down(), channels, 1));
        SelfAttention a = block.attention();
        int perGroup = a.heads() / a.kvHeads();
        int[] heads = new int[groups.length * perGroup];
        for (int g = 0; g < groups.length; g++) {
            for (int i = 0; i < perGroup; i++) {
                heads[g * perGroup + i] = groups[g] * perGroup + i;
            }
        }
        int d = a.headDim();
        float[] qNorm = a.qNorm() == null || a.qNorm().length == d ? a.qNorm() : units(a.qNorm(), heads, d);
        float[] kNorm = a.kNorm() == null || a.kNorm().length == d ? a.kNorm() : units(a.kNorm(), groups, d);
        SelfAttention attention = new SelfAttention(rows(a.qProj(), heads, d), rows(a.kProj(), groups, d),
                rows(a.vProj(), groups, d), columns(a.oProj(), heads, d), qNorm, kNorm, heads.length, groups.length, d,
                a.eps(), a.window(), a.rotary());
        return new DecoderBlock(block.name(), block.inputNorm(), attention, block.postAttentionNorm(), narrower,
                block.eps());
    }

    /** The rows of units {@code kept} (each {@code width} rows) of {@code linear}, with their bias entries. */
    private static Linear rows(Linear linear, int[] kept, int width) {
        float[] weight = new float[kept.length * width * linear.in()];
        int rowLength = width * linear.in();
        for (int k = 0; k < kept.length; k++) {
            System.arraycopy(linear.weight(), kept[k] * rowLength, weight, k * rowLength, rowLength);
        }
        float[] bias = linear.bias() == null ? null : units(linear.bias(), kept, width);
        return new Linear(linear.name(), kept.length * width, linear.in(), weight, bias);
    }

    /** The columns of units {@code kept} (each {@code width} columns) of {@code linear}; the bias stays. */
    private static Linear columns(Linear linear, int[] kept, int width) {
        int in = kept.length * width;
        float[] weight = new float[linear.out() * in];
        for (int r = 0; r < linear.out(); r++) {
            for (int k = 0; k < kept.length; k++) {
                System.arraycopy(linear.weight(), r * linear.in() + kept[k] * width, weight, r * in + k * width, width);
            }
        }
        return new Linear(linear.name(), linear.out(), in, weight, linear.bias());
    }

    /** The entries of units {@code kept} (each {@code width} long) of {@code values}. */
    private static float[] units(float[] values, int[] kept, int width) {
        float[] out = new float[kept.length * width];
        for (int k = 0; k < kept.length; k++) {
            System.arraycopy(values, kept[k] * width, out, k * width, width);
        }
        return out;
    }
}
