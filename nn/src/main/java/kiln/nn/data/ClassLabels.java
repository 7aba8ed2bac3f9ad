package kiln.nn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import kiln.engine.DType;
import kiln.engine.Tensor;

/** The class labels of a classification dataset, and its examples grouped by class, for stratified splits. */
public final class ClassLabels {
    /** Examples gathered at a time when reading labels from a dataset: bounds the memory one read takes. */
    private static final int CHUNK = 4096;

    private ClassLabels() {}

    /**
     * Every example's class label, in order. The targets must be int64 class indices {@code [n]}. A
     * {@link TensorDataset}'s are read directly; any other dataset is gathered a chunk at a time.
     */
    public static long[] of(Dataset data) {
        if (data instanceof TensorDataset tensors) {
            return read(tensors.targets());
        }
        long[] labels = new long[data.size()];
        for (int start = 0; start < labels.length; start += CHUNK) {
            int count = Math.min(CHUNK, labels.length - start);
            int[] positions = new int[count];
            for (int i = 0; i < count; i++) {
                positions[i] = start + i;
            }
            try (Batch batch = data.gather(positions)) {
                System.arraycopy(read(batch.targets()), 0, labels, start, count);
            }
        }
        return labels;
    }

    private static long[] read(Tensor targets) {
        if (targets.dtype() != DType.INT64 || targets.rank() != 1) {
            throw new IllegalArgumentException("ClassLabels.of: targets must be int64 class indices [n], got " + targets.describe());
        }
        return targets.toLongArray();
    }

    /**
     * The positions of the examples of each class: one array per distinct label, in increasing label
     * order, each listing its positions in increasing order.
     */
    static int[][] groupByClass(long[] labels) {
        Map<Long, List<Integer>> members = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            members.computeIfAbsent(labels[i], label -> new ArrayList<>()).add(i);
        }
        int[][] groups = new int[members.size()][];
        int g = 0;
        for (List<Integer> positions : members.values()) {
            groups[g++] = positions.stream().mapToInt(Integer::intValue).toArray();
        }
        return groups;
    }
}
