package kiln.nn.data;

/**
 * Some examples of another dataset, chosen by position: example {@code i} of the subset is example
 * {@code indices[i]} of the base. Nothing is copied; a gather is forwarded to the base with the
 * positions translated.
 *
 * <p>A subset is a view: it does not own the base dataset, which must stay open while the subset is used.
 */
public final class Subset implements Dataset {
    private final Dataset base;
    private final int[] indices;

    /** A view of {@code base} holding the examples at {@code indices} (each in {@code [0, base.size())}, repeats allowed), in that order. */
    public Subset(Dataset base, int[] indices) {
        for (int index : indices) {
            if (index < 0 || index >= base.size()) {
                throw new IllegalArgumentException("Subset: index " + index + " outside the base dataset's [0, " + base.size() + ")");
            }
        }
        this.base = base;
        this.indices = indices.clone();
    }

    /** The dataset this subset looks into. */
    public Dataset base() {
        return base;
    }

    /** The base dataset's positions of this subset's examples, a copy. */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int[] featureShape() {
        return base.featureShape();
    }

    @Override
    public Batch gather(int[] positions) {
        int[] baseIndices = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= indices.length) {
                throw new IndexOutOfBoundsException("Subset.gather: index " + positions[i] + " outside [0, " + indices.length + ")");
            }
            baseIndices[i] = indices[positions[i]];
        }
        return base.gather(baseIndices);
    }

    @Override
    public String toString() {
        return "Subset(" + indices.length + " of " + base.size() + " examples)";
    }
}
