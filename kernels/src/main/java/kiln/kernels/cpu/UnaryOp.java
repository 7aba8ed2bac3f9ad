package kiln.kernels.cpu;

/**
 * Elementwise float32 functions y = f(x), as {@link UnaryKernels#map} applies them.
 *
 * <p>{@link #apply} is the scalar reference that the SIMD kernels are tested against: it computes in
 * double and rounds once, so it is within about half an ulp of the exact value (GELU: within 6e-9
 * relative, see {@link #normalCdf}).
 */
public enum UnaryOp {
    /** −x */
    NEG,
    /** |x| */
    ABS,
    /** eˣ */
    EXP,
    /** ln x (ln 0 = −∞, ln of a negative number = NaN) */
    LOG,
    /** √x (NaN for x &lt; 0) */
    SQRT,
    /** 1/√x */
    RSQRT,
    /** tanh x */
    TANH,
    /** σ(x) = 1/(1 + e⁻ˣ) */
    SIGMOID,
    /** max(x, 0); NaN stays NaN */
    RELU,
    /** x·Φ(x) = 0.5·x·(1 + erf(x/√2)), PyTorch's default (exact, not the tanh approximation) */
    GELU,
    /** sin x */
    SIN,
    /** cos x */
    COS;

    /** The reference value of this function at {@code x}. */
    public float apply(float x) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case RSQRT -> (float) (1 / Math.sqrt(x));
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) (1 / (1 + Math.exp(-x)));
            case RELU -> Math.max(x, 0f);
            case GELU -> (float) (x * normalCdf(x));
            case SIN -> (float) Math.sin(x);
            case COS -> (float) Math.cos(x);
        };
    }

    /**
     * Φ(x), the standard normal distribution function, to 5.3e-9 relative error for every x.
     *
     * <p>Java has no erf, and the usual erf approximations (Abramowitz–Stegun 7.1.26) are accurate
     * in absolute terms only: GELU's left tail x·Φ(x), x ≪ 0, would lose all its digits. So we
     * approximate the tail itself, to a relative error:
     * <pre>
     *   Φ(−u) = t · e^(−u²/2) · P(t),   t = 1/(1 + q·u),  u = |x| ≥ 0,
     *   Φ(x)  = Φ(−u) for x &lt; 0, and 1 − Φ(−u) for x ≥ 0.
     * </pre>
     * P is the degree-10 polynomial {@link #GELU_P}, fitted (weighted least squares on the relative
     * error at Chebyshev nodes in t ∈ (0, 1], q = 9/32, against 40-digit values) to 5.3e-9 relative
     * error over all u ≥ 0. It fits because t·P(t) stands for e^(u²/2)·Φ(−u), which is smooth in t
     * and goes like 1/(u√(2π)), that is like t, as u → ∞.
     */
    static double normalCdf(double x) {
        double u = Math.abs(x);
        double t = 1 / (1 + GELU_Q * u);
        double p = GELU_P[GELU_P.length - 1];
        for (int k = GELU_P.length - 2; k >= 0; k--) {
            p = p * t + GELU_P[k];
        }
        double tail = t * Math.exp(-0.5 * u * u) * p;
        return x < 0 ? tail : 1 - tail;
    }

    /** q of {@link #normalCdf}. */
    static final float GELU_Q = 0.28125f;

    /** P(t) of {@link #normalCdf}, lowest power first; P(0) = q/√(2π). */
    static final double[] GELU_P = {
        0.11220251576812858, 0.11220270213084643, 0.10331764352155048, 0.08576300455140268,
        0.05918966943284675, 0.044746108265081436, -0.028269887084605875, 0.07789291679907669,
        -0.12429424622701933, 0.07192819886203537, -0.01467862841963811,
    };
}
