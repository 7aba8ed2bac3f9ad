package kiln.engine;

import java.util.Locale;

/**
 * Prints tensors the way NumPy and PyTorch do: nested brackets, columns aligned, and for tensors of
 * more than {@value #SUMMARY_THRESHOLD} elements only the first and last {@value #EDGE_ITEMS} entries
 * of each axis with "..." between.
 *
 * <pre>
 * tensor([[ 0.5000, -1.2500],
 *         [ 3.0000,  4.0000]], dtype=float32)
 * </pre>
 */
final class TensorFormatter {
    static final int SUMMARY_THRESHOLD = 1000;
    static final int EDGE_ITEMS = 3;
    private static final String PREFIX = "tensor(";

    private TensorFormatter() {}

    static String format(Tensor t) {
        boolean summarize = t.numel() > SUMMARY_THRESHOLD;
        try (Tensor values = t.to(t.dtype().isFloatingPoint() ? DType.FLOAT64 : t.dtype() == DType.BOOL ? DType.BOOL : DType.INT64)) {
            Style style = Style.of(values, summarize);
            StringBuilder out = new StringBuilder(PREFIX);
            appendAxis(out, values, new int[t.rank()], 0, style, summarize);
            out.append(", dtype=").append(t.dtype());
            if (summarize) {
                out.append(", shape=").append(t.shape());
            }
            if (t.device() != Device.CPU) {
                out.append(", device=").append(t.device());
            }
            return out.append(')').toString();
        }
    }

    private static boolean shown(int i, int size, boolean summarize) {
        return !summarize || size <= 2 * EDGE_ITEMS || i < EDGE_ITEMS || i >= size - EDGE_ITEMS;
    }

    private static void appendAxis(StringBuilder out, Tensor values, int[] index, int axis, Style style, boolean summarize) {
        if (axis == values.rank()) {
            out.append(style.format(values, index));
            return;
        }
        int size = values.dim(axis);
        String indent = " ".repeat(PREFIX.length() + axis + 1);
        boolean innermost = axis == values.rank() - 1;
        out.append('[');
        boolean ellipsisWritten = false;
        boolean first = true;
        for (int i = 0; i < size; i++) {
            if (!shown(i, size, summarize)) {
                if (!ellipsisWritten) {
                    // The same separator as between shown entries, so blocks of rank 3 and up keep their blank lines around "...".
                    out.append(innermost ? ", ..." : "," + "\n".repeat(values.rank() - axis - 1) + indent + "...");
                    ellipsisWritten = true;
                }
                continue;
            }
            if (!first) {
                out.append(innermost ? ", " : "," + "\n".repeat(values.rank() - axis - 1) + indent);
            } else if (ellipsisWritten) {
                out.append(", ");
            }
            first = false;
            index[axis] = i;
            appendAxis(out, values, index, axis + 1, style, summarize);
        }
        out.append(']');
    }

    /** How every element of one tensor is written: fixed or scientific notation, padded to one width. */
    private record Style(boolean floating, boolean bool, boolean scientific, int width) {
        static Style of(Tensor values, boolean summarize) {
            boolean floating = values.dtype() == DType.FLOAT64;
            boolean bool = values.dtype() == DType.BOOL;
            double largest = 0;
            double smallest = Double.POSITIVE_INFINITY;
            if (floating) {
                for (double v : values.toDoubleArray()) {
                    if (Double.isFinite(v) && v != 0) {
                        largest = Math.max(largest, Math.abs(v));
                        smallest = Math.min(smallest, Math.abs(v));
                    }
                }
            }
            boolean scientific = floating && (largest >= 1e8 || (smallest < 1e-4 && smallest != Double.POSITIVE_INFINITY));
            Style plain = new Style(floating, bool, scientific, 0);
            int width = 0;
            int[] index = new int[values.rank()];
            width = widest(values, index, 0, plain, summarize, width);
            return new Style(floating, bool, scientific, width);
        }

        private static int widest(Tensor values, int[] index, int axis, Style plain, boolean summarize, int width) {
            if (axis == values.rank()) {
                return Math.max(width, plain.format(values, index).length());
            }
            int size = values.dim(axis);
            for (int i = 0; i < size; i++) {
                if (shown(i, size, summarize)) {
                    index[axis] = i;
                    width = widest(values, index, axis + 1, plain, summarize, width);
                }
            }
            return width;
        }

        String format(Tensor values, int[] index) {
            double v = values.get(index);
            String text;
            if (bool) {
                text = v != 0 ? "true" : "false";
            } else if (!floating) {
                text = Long.toString(longAt(values, index));   // not (long) v: int64 above 2^53 must print exactly
            } else if (Double.isNaN(v)) {
                text = "nan";
            } else if (Double.isInfinite(v)) {
                text = v > 0 ? "inf" : "-inf";
            } else {
                text = String.format(Locale.ROOT, scientific ? "%.4e" : "%.4f", v);
            }
            return " ".repeat(Math.max(0, width - text.length())) + text;
        }

        /** The integer element at {@code index} (in range), read as a long. */
        private static long longAt(Tensor values, int[] index) {
            long element = values.offset();
            long[] strides = values.strides();
            for (int axis = 0; axis < index.length; axis++) {
                element += index[axis] * strides[axis];
            }
            return Elements.getLong(values.dtype(), values.segment(), element);
        }
    }
}
