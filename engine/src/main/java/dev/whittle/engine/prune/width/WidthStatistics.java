package dev.whittle.engine.prune.width;

import java.util.List;

/**
 * What width pruning removed, as PRUNE's statistics report it.
 *
 * @param layers           each block's widths before and after
 * @param parametersBefore all parameters of the source model (as its config lays them out)
 * @param parametersAfter  all parameters of the output model
 */
public record WidthStatistics(List<BlockWidths> layers, long parametersBefore, long parametersAfter) {

    /**
     * One block: its MLP channels, query heads and KV heads kept and removed, the removed KV heads (source
     * indices; each took its query heads with it), and the parameters of its linear layers before and after.
     */
    public record BlockWidths(int block, int channels, int removedChannels, int heads, int removedHeads, int kvHeads,
                              List<Integer> removedKvHeads, long parametersBefore, long parametersAfter) {
    }
}
