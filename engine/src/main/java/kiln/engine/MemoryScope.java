package kiln.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Frees, deterministically, every tensor created inside it: the temporaries of a training step, of
 * an evaluation, of a demo. Scopes nest and belong to the thread that opened them.
 *
 * <pre>{@code
 * Tensor loss;
 * try (MemoryScope scope = MemoryScope.open()) {
 *     Tensor h = x.matmul(w).relu();          // freed when the scope closes
 *     loss = scope.escape(h.sum());           // survives: handed to the enclosing scope (or to the caller)
 * }
 * }</pre>
 *
 * <p>A tensor created outside any scope belongs to whoever created it: close it by hand, or leave it
 * to the garbage collector's safety net (see {@link NativeMemory}). Long-lived tensors such as
 * parameters are created outside scopes, or escaped.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();

    private final MemoryScope parent;
    private final Thread owner;
    private final List<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private MemoryScope(MemoryScope parent) {
        this.parent = parent;
        this.owner = Thread.currentThread();
    }

    /** Opens a scope nested in the current one; close it with try-with-resources. */
    public static MemoryScope open() {
        MemoryScope scope = new MemoryScope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /**
     * Runs {@code make} as if no scope were open: the tensors it creates belong to the caller, who
     * keeps them beyond the current step (optimizer state, gradients of parameters).
     */
    public static <T> T outside(java.util.function.Supplier<T> make) {
        MemoryScope current = CURRENT.get();
        CURRENT.remove();
        try {
            return make.get();
        } finally {
            if (current != null) {
                CURRENT.set(current);
            }
        }
    }

    /**
     * Takes {@code tensor} out of whichever open scope of this thread owns it: the caller owns it
     * now (a layer's parameters, built inside a scope, must outlive it). Does nothing for a tensor no
     * scope owns.
     */
    public static <T extends Tensor> T disown(T tensor) {
        for (MemoryScope scope = CURRENT.get(); scope != null; scope = scope.parent) {
            for (int i = scope.owned.size() - 1; i >= 0; i--) {
                if (scope.owned.get(i) == tensor) {
                    scope.owned.remove(i);
                    return tensor;
                }
            }
        }
        return tensor;
    }

    /** Records a new tensor in the innermost open scope of this thread, if there is one. */
    static void adopt(Tensor tensor) {
        MemoryScope scope = CURRENT.get();
        if (scope != null) {
            scope.owned.add(tensor);
        }
    }

    /** How many tensors this scope will close. */
    public int size() {
        return owned.size();
    }

    /**
     * Lets {@code tensor} outlive this scope: it moves to the enclosing scope, or, with none, to the
     * caller, who then owns it. Cheap: the tensor is usually the last one created.
     */
    public <T extends Tensor> T escape(T tensor) {
        checkUsable("escape");
        for (int i = owned.size() - 1; i >= 0; i--) {
            if (owned.get(i) == tensor) {
                owned.remove(i);
                if (parent != null) {
                    parent.owned.add(tensor);
                }
                return tensor;
            }
        }
        throw new IllegalArgumentException("escape: " + tensor.describe() + " does not belong to this scope");
    }

    /** Closes every tensor created in this scope and not escaped, newest first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkUsable("close");
        if (CURRENT.get() != this) {
            throw new IllegalStateException("MemoryScope.close: an inner scope is still open; close scopes in reverse order of opening");
        }
        closed = true;
        CURRENT.set(parent);
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }

    private void checkUsable(String op) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("MemoryScope." + op + ": a scope belongs to the thread that opened it (" + owner.getName() + ")");
        }
        if (closed) {
            throw new IllegalStateException("MemoryScope." + op + ": the scope is closed");
        }
    }
}
