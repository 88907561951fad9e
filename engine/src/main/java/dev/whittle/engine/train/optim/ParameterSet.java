package dev.whittle.engine.train.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** The tensors of one model that training sees, in a fixed order (the order checkpoints and norms use). */
public final class ParameterSet {

    private final List<Parameter> parameters;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();

    public ParameterSet(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
        for (Parameter p : this.parameters) {
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("parameter " + p.name() + " given twice");
            }
        }
    }

    public List<Parameter> all() {
        return parameters;
    }

    /** The parameters that have gradients and are updated. */
    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : parameters) {
            if (p.isTrainable()) {
                out.add(p);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The parameter called {@code name}; throws naming it when there is none. */
    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named " + name + " (have " + byName.keySet() + ")");
        }
        return p;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** A set with {@code change} applied to every parameter whose name satisfies the test (frozen, masked...). */
    public ParameterSet map(Predicate<String> names, UnaryOperator<Parameter> change) {
        List<Parameter> out = new ArrayList<>(parameters.size());
        for (Parameter p : parameters) {
            out.add(names.test(p.name()) ? change.apply(p) : p);
        }
        return new ParameterSet(out);
    }

    /** Total number of values, trainable or not. */
    public long count() {
        long n = 0;
        for (Parameter p : parameters) {
            n += p.size();
        }
        return n;
    }

    /** Clears every gradient, before a new accumulation. */
    public void zeroGrads() {
        for (Parameter p : parameters) {
            if (p.isTrainable()) {
                Arrays.fill(p.grad(), 0f);
            }
        }
    }
}
