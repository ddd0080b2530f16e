package dev.invariance.onnx.reading;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One evaluation of a {@link ConstantTensor} and everything it is computed from. The constants form a directed
 * acyclic graph (one constant may feed several, as in {@code Add(W, W)}): each constant's values are computed once
 * and held until every reference to it within the evaluation has been served (counted beforehand), then dropped. The
 * last reference may take the array itself, unless a reader still holds it to read (a computation that read it may
 * still be running further up the stack): then, as for every earlier reference, a copy is taken. So a file of a few
 * hundred bytes cannot make the reader repeat work exponentially.
 */
final class ConstantEvaluation {
    private final Map<ConstantTensor, Integer> pending = new IdentityHashMap<>();
    private final Map<ConstantTensor, double[]> computed = new IdentityHashMap<>();
    private final Set<ConstantTensor> lent = Collections.newSetFromMap(new IdentityHashMap<>());

    /** An evaluation of {@code root}: counts the references to every constant it is computed from. */
    ConstantEvaluation(ConstantTensor root) {
        pending.put(root, 1);
        ArrayDeque<ConstantTensor> stack = new ArrayDeque<>();
        stack.push(root);
        Set<ConstantTensor> expanded = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!stack.isEmpty()) {
            ConstantTensor t = stack.pop();
            if (!expanded.add(t)) {
                continue;
            }
            for (ConstantTensor s : t.sources()) {
                pending.merge(s, 1, Integer::sum);
                stack.push(s);
            }
        }
    }

    /** The values of {@code t}, not to be changed (they may be shared with another reader). */
    double[] read(ConstantTensor t) {
        double[] v = valuesOf(t);
        lent.add(t);
        served(t);
        return v;
    }

    /**
     * The values of {@code t} as an array the caller owns: the computed one for the last reference when no reader
     * was given it, else a copy.
     */
    double[] take(ConstantTensor t) {
        double[] v = valuesOf(t);
        return served(t) && !lent.contains(t) ? v : v.clone();
    }

    private double[] valuesOf(ConstantTensor t) {
        double[] v = computed.get(t);
        if (v == null) {
            v = t.compute(this);
            computed.put(t, v);
        }
        return v;
    }

    /** Counts one reference to {@code t} as served; true when it was the last (its values are then dropped). */
    private boolean served(ConstantTensor t) {
        int left = pending.merge(t, -1, Integer::sum);
        if (left > 0) {
            return false;
        }
        pending.remove(t);
        computed.remove(t);
        return true;
    }
}
