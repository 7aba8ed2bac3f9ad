package kiln.kernels.cpu;

import java.util.function.IntToDoubleFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, log, tanh, sigmoid, sin and cos on float vectors, built only from operations that IEEE 754
 * rounds exactly: + − × ÷ and fma, min and max, compares and blends, integer and bit operations.
 *
 * <p><b>Why not {@code lanewise(VectorOperators.EXP)}?</b> The JDK computes those lanes with a Java
 * fallback ({@code Math.exp} per lane) until C2 compiles the loop, and with Intel's SVML routines
 * after: the two differ in the last bit for about 1 input in 4000, so a seeded program gave
 * different bits depending on when the JIT kicked in. Every operation used here has one correct
 * result, which the interpreter, C1 and C2 all produce: the bits no longer depend on the JIT.
 *
 * <p><b>The recipe</b>, the same for every function: reduce the argument to a short interval
 * exactly or nearly so (x = k·ln 2 + r, x = 2ᵉ·m, x = q·π/2 + r), approximate the function there by
 * a polynomial, and undo the reduction (scale by 2ᵏ, add e·ln 2, pick ±sin or ±cos). Polynomials are
 * evaluated by Horner's rule with fma. Their coefficients were fitted offline as minimax polynomials
 * of the relative error (Lawson's iteratively reweighted least squares at 3000 Chebyshev points of
 * the interval, against 40-digit mpmath values) and rounded to float; each comment gives the form
 * fitted and its error before rounding, well below the rounding errors of the float arithmetic.
 *
 * <p><b>Accuracy</b>, worst case over every float against (float) Math.f(x): exp, log, tanh 1 ulp;
 * sigmoid, sin, cos 2 ulp. Subnormal results count in units of 2⁻¹⁴⁹ like the others. Special values
 * (±0, ±∞, NaN, overflow, underflow) follow {@link Math}.
 *
 * <p><b>Speed.</b> A function costs 15–30 vector operations (exp: 14 floating-point ones and 4
 * integer ones, 1.15x the time of the JDK's SVML exp; sin and cos are faster than SVML's), and C2
 * inlines these small methods into the caller's loop, where the species is a constant. Two limits
 * of C2 shape the code: it stops inlining our own methods once a compilation has 18000 nodes
 * (NodeCountInliningCutoff; each Vector API call brings ~400), so a function must stay within ~40
 * calls; and the floating-point ports are the bottleneck: an exp with one power of two fewer to
 * build but two more fma in its polynomial was 8% slower.
 */
final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /**
     * 1.5·2²³. For |v| &lt; 2²², v + ROUND lies in [2²³, 2²⁴), where the floats are exactly the
     * integers: the sum rounds v to the nearest integer k, and its bits are those of ROUND plus k.
     */
    private static final float ROUND = 0x1.8p23f;

    // ---------------------------------------------------------------------------------------- exp

    private static final float LOG2_E = 1.442695f;
    /** ln 2 = LN2_HI + LN2_LO to 2⁻⁵³: the float nearest ln 2, then the float nearest the rest. */
    private static final float LN2_HI = 0x1.62e43p-1f;
    private static final float LN2_LO = -0x1.05c61p-29f;
    /** e^89 overflows and e^−104 underflows to 0: clamping there keeps k in [−150, 128] for {@link #scale}. */
    private static final float EXP_MAX = 89f;
    private static final float EXP_MIN = -104f;
    /** ROUND + 2·127: the sum then holds k + 254, what {@link #scale} needs. */
    private static final float EXP_ROUND = ROUND + 254;
    /**
     * eʳ on |r| ≤ ln(2)/2, lowest power first: 1 + r + c₂r² + … + c₆r⁶, c₂…c₆ fitted to
     * (eʳ − 1 − r)/r²; relative error 3.1e-9 (0.05 ulp).
     */
    private static final float[] EXP_P = {1f, 1f, 0.49999994f, 0.16666521f, 0.04166839f, 0.008368717f, 0.0013814599f};

    /**
     * eˣ. With k = round(x·log₂e) and r = x − k·ln 2, |r| ≤ ln(2)/2, eˣ = 2ᵏ·eʳ. r is computed in two
     * steps: x − k·LN2_HI is exact (the fma's product is exact, and the difference is a multiple of
     * 2⁻²⁵ below 0.5, which fits in 24 bits), then − k·LN2_LO rounds once.
     */
    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_MIN).min(EXP_MAX);                          // max and min keep NaN
        FloatVector shifted = x.fma(LOG2_E, EXP_ROUND);           // EXP_ROUND + k
        FloatVector k = shifted.sub(EXP_ROUND);
        FloatVector r = k.fma(splat(-LN2_HI), x);
        r = k.fma(splat(-LN2_LO), r);
        return scale(horner(r, EXP_P), shifted.reinterpretAsInts());
    }

    /**
     * y·2ᵏ for y ∈ [0.7, 1.5] and k ∈ [−150, 128], given b, the bits of EXP_ROUND + k. 2ᵏ itself need
     * not be a float, so this takes y·2^k₁·2^k₂ with k₁ = ⌊k/2⌋ and k₂ = k − k₁, both in [−75, 64]:
     * the first product is exact, so only the last one rounds, into the subnormals or to ∞ as the
     * exact result would. The powers come from b = B + 254 + k, B the bits of ROUND, a multiple of
     * 2²²: b >> 1 = B/2 + 127 + k₁ and b − (b >> 1) = B/2 + 127 + k₂; shifted left by 23, B/2 falls
     * off the top and 127 + k₁, 127 + k₂ land in the exponent field.
     */
    private static FloatVector scale(FloatVector y, IntVector b) {
        IntVector b1 = b.lanewise(VectorOperators.ASHR, 1);
        return y.mul(exponentField(b1)).mul(exponentField(b.sub(b1)));
    }

    /** The float whose sign and exponent fields are the low 9 bits of n, mantissa 0. */
    private static FloatVector exponentField(IntVector n) {
        return n.lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    // ---------------------------------------------------------------------------------------- log

    /** The bits of the float nearest √½. */
    private static final int SQRT_HALF_BITS = 0x3f35_04f3;
    /**
     * Q(f) ≈ (ln(1 + f) − f)/f² on √½ − 1 ≤ f ≤ √2 − 1, lowest power first: the series' −1/2, then
     * eight fitted coefficients; relative error of ln(1 + f) 5.8e-9 (0.1 ulp).
     */
    private static final float[] LOG_Q = {
        -0.5f, 0.3333333f, -0.2500082f, 0.20001227f, -0.16623357f, 0.14201759f, -0.13160183f, 0.12761575f, -0.07634493f,
    };

    /**
     * ln x. With x = 2ᵉ·m, m ∈ [√½, √2), ln x = e·ln 2 + ln(1 + f), f = m − 1 (exact). e and m come
     * from the bits: (bits(x) − bits(√½)) >> 23 is x's exponent, less one when x's significand is
     * below √2 (the subtraction borrows from the exponent field), which is e; removing e from the
     * exponent field leaves m. Subnormal x are first scaled by 2²³. ln ±0 = −∞; ln x = NaN for
     * x &lt; 0; +∞ and NaN pass through.
     */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> subnormal = x.lt(Float.MIN_NORMAL);
        IntVector bits = x.blend(x.mul(0x1p23f), subnormal).reinterpretAsInts();
        IntVector e = bits.sub(SQRT_HALF_BITS).lanewise(VectorOperators.ASHR, 23);
        FloatVector f = bits.sub(e.lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats().sub(1f);
        FloatVector log1p = f.mul(f).fma(horner(f, LOG_Q), f);         // f + f²·Q(f)
        FloatVector exponent = ((FloatVector) e.convert(VectorOperators.I2F, 0)).sub(23f, subnormal);
        FloatVector y = exponent.fma(splat(LN2_HI), exponent.fma(splat(LN2_LO), log1p));
        return y.blend(Float.NEGATIVE_INFINITY, x.eq(0f))
                .blend(Float.NaN, x.lt(0f))
                .blend(x, x.compare(VectorOperators.LE, Float.MAX_VALUE).not()); // +∞ and NaN
    }

    // ------------------------------------------------------------------------------ tanh, sigmoid

    /** Below this |x|, tanh uses its polynomial; above, its formula in eˣ. */
    private static final float TANH_SMALL = 1f;
    /** (tanh(x) − x)/x³ as a polynomial in x² on |x| ≤ 1: degree 6, 4.6e-9 relative (0.08 ulp). */
    private static final float[] TANH_T = {
        -0.33333296f, 0.13332345f, -0.0538798f, 0.021486657f, -0.007946107f, 0.0023013647f, -0.00035845203f,
    };

    /**
     * tanh x, odd, so computed for a = |x| with the sign of x put back (tanh(−0) = −0):
     * a + a³·T(a²) for a &lt; 1, and 1 − 2/(e^(2a) + 1) above, which reaches 1 once e^(2a) overflows.
     * Below 1 (tanh a &lt; 0.76) the rounding errors of 2/(e^(2a) + 1) would cost more than an ulp of
     * the difference: at a = 0.63 they made 1.36 ulp.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector a2 = a.mul(a);
        FloatVector small = a.mul(a2).fma(horner(a2, TANH_T), a);
        FloatVector large = splat(1f).sub(splat(2f).div(exp(a.add(a)).add(1f)));
        return timesSignOf(x, large.blend(small, a.lt(TANH_SMALL)));
    }

    /**
     * σ(x) = 1/(1 + e⁻ˣ), computed with e = e^−|x| as 1/(1 + e) for x ≥ 0 and e/(1 + e) = eˣ/(eˣ + 1)
     * for x &lt; 0: e never overflows, so σ of a large negative x keeps its tiny (even subnormal) value.
     */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        return splat(1f).blend(e, x.lt(0f)).div(e.add(1f));
    }

    // ------------------------------------------------------------------------------- sin and cos

    private static final float TWO_OVER_PI = 0.63661975f;
    /** π/2 = PIO2_1 + PIO2_2 + PIO2_3 to 1e-23, each the float nearest what the previous ones leave. */
    private static final float PIO2_1 = 0x1.921fb6p0f;
    private static final float PIO2_2 = -0x1.777a5cp-25f;
    private static final float PIO2_3 = -0x1.ee59dap-50f;
    /**
     * Up to this |x|, x·TWO_OVER_PI (2/π to 3.5e-8 relative) is within 0.023 of x·2/π, so
     * q = round(x·TWO_OVER_PI) leaves |r| ≤ (0.5 + 0.023)·π/2 &lt; π/4 + 0.04, where the polynomials
     * hold. Lanes beyond (5 ulp at 4e6 otherwise), rare in practice, are computed by the scalar
     * reference {@code (float) Math.sin(x)}, whose bits do not depend on the JIT either.
     */
    static final float SIN_COS_LIMIT = 0x1p20f;
    /** (sin(r) − r)/r³ as a polynomial in r² on |r| ≤ π/4 + 0.04: degree 2, 5.7e-9 relative (0.1 ulp). */
    private static final float[] SIN_S = {-0.16666651f, 0.008331902f, -0.0001948129f};
    /** (cos(r) − 1)/r² in r² on the same interval, with the −1/2 of the series fixed: 1.9e-10 relative. */
    private static final float[] COS_C = {-0.5f, 0.041666638f, -0.0013886965f, 2.4394272e-05f};

    /** sin x (odd: computed for |x|, the sign put back). */
    static FloatVector sin(FloatVector x) {
        FloatVector y = timesSignOf(x, sinOfQuarterTurns(x.abs(), 0));
        VectorMask<Float> huge = x.abs().compare(VectorOperators.GT, SIN_COS_LIMIT);
        return huge.anyTrue() ? withScalarLanes(y, huge, i -> Math.sin(x.lane(i))) : y;
    }

    /** cos x (even: computed for |x|). */
    static FloatVector cos(FloatVector x) {
        FloatVector y = sinOfQuarterTurns(x.abs(), 1);
        VectorMask<Float> huge = x.abs().compare(VectorOperators.GT, SIN_COS_LIMIT);
        return huge.anyTrue() ? withScalarLanes(y, huge, i -> Math.cos(x.lane(i))) : y;
    }

    /**
     * sin(a + turns·π/2) for a ≥ 0 (NaN gives NaN). With q = round(a·2/π) and r = a − q·π/2,
     * |r| ≤ π/4 (+0.04, see SIN_COS_LIMIT), this is ±sin r or ±cos r according to n = (q + turns)
     * mod 4: sin r, cos r, −sin r, −cos r. The first step of r is exact: a and q·PIO2_1 are
     * multiples of 2⁻²³ (for a &lt; 1, where q ≤ 1, of 2⁻²⁴ with a ≥ 0.78 if q = 1) and their
     * difference is below 0.83. The next two steps round once each.
     */
    private static FloatVector sinOfQuarterTurns(FloatVector a, int turns) {
        FloatVector shifted = a.fma(TWO_OVER_PI, ROUND);          // ROUND + q
        FloatVector q = shifted.sub(ROUND);
        FloatVector r = q.fma(splat(-PIO2_1), a);
        r = q.fma(splat(-PIO2_2), r);
        r = q.fma(splat(-PIO2_3), r);
        FloatVector r2 = r.mul(r);
        FloatVector sin = r.mul(r2).fma(horner(r2, SIN_S), r);  // r + r³·S(r²)
        FloatVector cos = r2.fma(horner(r2, COS_C), splat(1f));  // 1 + r²·C(r²)
        IntVector n = shifted.reinterpretAsInts().add(turns);     // low two bits (q + turns) mod 4: ROUND's are 0
        VectorMask<Float> odd = n.and(1).compare(VectorOperators.NE, 0).cast(SPECIES);
        IntVector negate = n.and(2).lanewise(VectorOperators.LSHL, 30); // the sign bit for n = 2, 3
        return sin.blend(cos, odd).reinterpretAsInts().lanewise(VectorOperators.XOR, negate).reinterpretAsFloats();
    }

    // ------------------------------------------------------------------------------------ helpers

    /** c[0] + c[1]·x + … + c[n]·xⁿ by Horner's rule, (…(c[n]·x + c[n−1])·x + …)·x + c[0]: an fma a step. */
    static FloatVector horner(FloatVector x, float[] c) {
        FloatVector p = splat(c[c.length - 1]);
        for (int k = c.length - 2; k >= 0; k--) {
            p = p.fma(x, splat(c[k]));
        }
        return p;
    }

    private static FloatVector splat(float value) {
        return FloatVector.broadcast(SPECIES, value);
    }

    /** y negated where x has its sign bit set (−0 included): f(x) = sign(x)·f(|x|) for an odd f. */
    private static FloatVector timesSignOf(FloatVector x, FloatVector y) {
        return y.blend(y.neg(), x.test(VectorOperators.IS_NEGATIVE));
    }

    /** y with the lanes of {@code scalar} replaced by {@code (float) reference(lane index)}: the rare cases. */
    private static FloatVector withScalarLanes(FloatVector y, VectorMask<Float> scalar, IntToDoubleFunction reference) {
        float[] lanes = y.toArray();
        for (int i = 0; i < lanes.length; i++) {
            if (scalar.laneIsSet(i)) {
                lanes[i] = (float) reference.applyAsDouble(i);
            }
        }
        return FloatVector.fromArray(SPECIES, lanes, 0);
    }
}
