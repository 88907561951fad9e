package dev.whittle.api.models;

import java.util.List;

/**
 * Where a model comes from and what was made from it.
 *
 * @param ancestors   its parents, their parents, ... (nearest first; every parent of a merged model)
 * @param descendants every model made from it, directly or not (oldest first)
 */
public record LineageView(ModelView model, List<ModelView> ancestors, List<ModelView> descendants) {
}
