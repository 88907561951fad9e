package dev.whittle.engine.prune;

import dev.whittle.engine.model.DecoderBlock;
import dev.whittle.engine.model.ForwardHooks;
import dev.whittle.engine.model.Linear;
import dev.whittle.engine.model.MoeFeedForward;
import dev.whittle.engine.model.SwiGluMlp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Gathers {@link InputStatistics} for the chosen linear layers of one block while it runs over the calibration
 * samples. Layers that read the same input (q, k and v; gate and up) share one statistic, gathered once per
 * forward, since their inputs are the same values. Time spent here is the "statistics" phase.
 */
public final class StatisticsHooks<S extends InputStatistics> implements ForwardHooks {

    private final Map<String, S> byLinear = new LinkedHashMap<>();
    private final Set<S> addedThisSample = new HashSet<>();
    private long nanos;

    /** Statistics for {@code chosen} (module names) among the block's linears, made by {@code factory(in)}. */
    public StatisticsHooks(DecoderBlock block, Set<String> chosen, IntFunction<S> factory) {
        for (List<Linear> group : sameInputGroups(block)) {
            S shared = null;
            for (Linear linear : group) {
                if (chosen.contains(linear.name())) {
                    if (shared == null) {
                        shared = factory.apply(linear.in());
                    }
                    byLinear.put(linear.name(), shared);
                }
            }
        }
    }

    /**
     * The block's linears grouped by the input they read: {q, k, v}, {o}, then {gate, up}, {down} for SwiGLU, and the
     * same for every expert of a Mixture-of-Experts layer (its router and shared-expert gate are never pruned).
     */
    static List<List<Linear>> sameInputGroups(DecoderBlock block) {
        List<List<Linear>> groups = new ArrayList<>();
        var attention = block.attention();
        groups.add(List.of(attention.qProj(), attention.kProj(), attention.vProj()));
        groups.add(List.of(attention.oProj()));
        if (block.mlp() instanceof SwiGluMlp mlp) {
            addSwiGlu(groups, mlp);
        } else if (block.mlp() instanceof MoeFeedForward moe) {
            // each expert reads only the rows routed to it: its own statistics, calibrated on those tokens
            moe.experts().forEach(expert -> addSwiGlu(groups, expert));
            if (moe.sharedExpert() != null) {
                addSwiGlu(groups, moe.sharedExpert());
            }
        } else {
            block.mlp().linears().forEach(l -> groups.add(List.of(l)));
        }
        return groups;
    }

    private static void addSwiGlu(List<List<Linear>> groups, SwiGluMlp mlp) {
        groups.add(List.of(mlp.gate(), mlp.up()));
        groups.add(List.of(mlp.down()));
    }

    /** Call before each sample's forward. */
    public void startSample() {
        addedThisSample.clear();
    }

    @Override
    public void linearInput(String linear, float[] x, int offset, int rows, int cols) {
        S statistic = byLinear.get(linear);
        if (statistic == null || !addedThisSample.add(statistic)) {
            return;
        }
        long start = System.nanoTime();
        statistic.add(x, offset, rows, cols);
        nanos += System.nanoTime() - start;
    }

    /** The statistic of a chosen linear layer. */
    public S of(String linear) {
        S s = byLinear.get(linear);
        if (s == null) {
            throw new IllegalArgumentException(linear + " was not chosen for statistics");
        }
        return s;
    }

    /** Nanoseconds spent adding inputs so far. */
    public long nanos() {
        return nanos;
    }
}
