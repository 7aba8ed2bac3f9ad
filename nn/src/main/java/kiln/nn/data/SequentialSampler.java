package kiln.nn.data;

/** Visits every example once per epoch, in dataset order: 0, 1, ..., size − 1. For evaluation. */
public final class SequentialSampler implements Sampler {
    private final int size;

    public SequentialSampler(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("SequentialSampler: size must be >= 0, got " + size);
        }
        this.size = size;
    }

    @Override
    public int length() {
        return size;
    }

    @Override
    public int[] order(int epoch) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        return order;
    }
}
