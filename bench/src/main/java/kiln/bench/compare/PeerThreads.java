package kiln.bench.compare;

import java.util.List;

/**
 * The thread pools a peer script runs with ({@code --threads} and {@code --blas-threads} of
 * {@code ../shared/peers/common.py}): {@code omp} for OpenMP, which PyTorch's own kernels use, and
 * {@code blas} for OpenBLAS, which NumPy's and PyTorch's matrix products use.
 *
 * <p>Which is a peer's best setting depends on the work: a matrix product alone wants OpenBLAS on every
 * thread ({@link #same}); PyTorch training, convolution and elementwise work on 2 threads want OpenMP 2
 * and OpenBLAS 1, since with both pools at 2 they fight over the two cores ({@link #torchFair}).
 */
public record PeerThreads(int omp, int blas) {
    /** Both pools on {@code threads} threads. */
    public static PeerThreads same(int threads) {
        return new PeerThreads(threads, threads);
    }

    /** OpenMP on {@code threads}, OpenBLAS on one: PyTorch's fair setting beside Kiln on that many threads. */
    public static PeerThreads torchFair(int threads) {
        return new PeerThreads(threads, 1);
    }

    /** The script's arguments for this setting. */
    public List<String> arguments() {
        return List.of("--threads", String.valueOf(omp), "--blas-threads", String.valueOf(blas));
    }

    /** {@code OMP 2, BLAS 1}: how a PyTorch row names its setting. */
    public String torch() {
        return "OMP " + omp + ", BLAS " + blas;
    }

    /** {@code OpenBLAS 2}: how a NumPy row names its setting (NumPy has no OpenMP pool). */
    public String numpy() {
        return "OpenBLAS " + blas;
    }
}
