package kiln.kernels.cpu;

/** Reductions of a row to one value, as {@link ReduceKernels#reduceRows} applies them. */
public enum ReduceOp {
    /** Σ x */
    SUM,
    /** Σ x / n (NaN for n = 0) */
    MEAN,
    /** the largest x; NaN if any x is NaN; undefined (an exception) for n = 0 */
    MAX,
    /** the smallest x; NaN if any x is NaN; undefined (an exception) for n = 0 */
    MIN,
    /** Σ (x − mean)² / max(0, n − correction): correction 1 is unbiased (PyTorch's default), 0 population */
    VAR,
    /** √VAR */
    STD,
    /** log Σ eˣ, computed as m + log Σ e^(x − m) with m = max x so that nothing overflows; −∞ for n = 0 */
    LOG_SUM_EXP
}
