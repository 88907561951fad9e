package dev.whittle.engine.train;

/**
 * The auxiliary losses a Mixture-of-Experts decoder trains with besides cross-entropy, each with its coefficient
 * (0 turns it off). Both are means over every (sparse layer, token) pair of the batch, the layers' router outputs
 * concatenated as transformers' {@code load_balancing_loss_func} concatenates them:
 * <ul>
 *   <li>load balancing (Switch Transformer, Mixtral): {@code experts * sum_j f_j * P_j}, with {@code f_j} the
 *       fraction of (layer, token) pairs routed to expert j (summed over the top-k slots, so {@code sum_j f_j = k})
 *       and {@code P_j} the mean router probability of j; its gradient reaches the router through P only;</li>
 *   <li>router z-loss (ST-MoE): the mean of {@code logsumexp(router logits)^2}, which keeps the logits small.</li>
 * </ul>
 */
public record RouterLosses(double loadBalancing, double zLoss) {

    public static final RouterLosses NONE = new RouterLosses(0, 0);

    public RouterLosses {
        if (!(loadBalancing >= 0) || !(zLoss >= 0)) {
            throw new IllegalArgumentException("router loss coefficients must be >= 0: " + loadBalancing + ", " + zLoss);
        }
    }

    public boolean any() {
        return loadBalancing > 0 || zLoss > 0;
    }
}
