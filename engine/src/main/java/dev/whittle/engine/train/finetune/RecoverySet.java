package dev.whittle.engine.train.finetune;

import dev.whittle.engine.train.distill.SelfDistillation;

import java.util.List;

/**
 * A built-in set of prompt/response examples a DISTILL may train on instead of a registered dataset, made in memory
 * by whoever provides it (the reference corpus's sets come from the lab module); never fetched at job time.
 */
public interface RecoverySet {

    /** The name {@code data.builtIn} gives. */
    String name();

    /** The examples, in a fixed order. */
    List<SelfDistillation.Example> examples();
}
