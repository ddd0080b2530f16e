package dev.invariance.onnx.reading;

import org.jspecify.annotations.Nullable;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The operations a data-flow path has passed through, as an immutable list that shares its prefix with the path it
 * was extended from: extending by one operation costs one object instead of a copy of the whole path, so following
 * a path of n nodes costs O(n), not O(n²). Reading it as an array ({@link #toArray()}, which
 * {@link List#copyOf} uses) costs O(n); {@link #get} walks back from the end and is meant for occasional use.
 */
final class OpTrail extends AbstractList<String> {
    private static final OpTrail EMPTY = new OpTrail(null, "", 0);

    private final @Nullable OpTrail before;
    private final String last;
    private final int size;

    private OpTrail(@Nullable OpTrail before, String last, int size) {
        this.before = before;
        this.last = last;
        this.size = size;
    }

    /** {@code ops} followed by {@code op}, sharing {@code ops} when it is itself a trail. */
    static List<String> append(List<String> ops, String op) {
        OpTrail trail = EMPTY;
        if (ops instanceof OpTrail t) {
            trail = t;
        } else {
            for (String o : ops) {
                trail = new OpTrail(trail, o, trail.size + 1);
            }
        }
        return new OpTrail(trail, op, trail.size + 1);
    }

    @Override
    public String get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of a trail of " + size);
        }
        OpTrail t = this;
        for (int i = size - 1; i > index; i--) {
            t = t.previous();
        }
        return t.last;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object[] toArray() {
        return Arrays.copyOf(ops(), size, Object[].class);
    }

    @Override
    public Iterator<String> iterator() {
        return Arrays.asList(ops()).iterator();
    }

    /** The operations in order, read back from the end. */
    private String[] ops() {
        String[] out = new String[size];
        OpTrail t = this;
        for (int i = size - 1; i >= 0; i--) {
            out[i] = t.last;
            if (i > 0) {
                t = t.previous();
            }
        }
        return out;
    }

    /** The trail without its last operation; only the empty trail has none, and no walk goes past size 0. */
    private OpTrail previous() {
        if (before == null) {
            throw new IllegalStateException("the empty trail has no operation before it");
        }
        return before;
    }
}
