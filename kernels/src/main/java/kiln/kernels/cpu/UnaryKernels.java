package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise float32 kernels with one input: {@code out[outOff + i] = f(in[inOff + i])}, i ∈ [0, n).
 *
 * <p>Offsets count elements, not bytes. {@code out} may be {@code in} at the same offset (in place);
 * it must not overlap {@code in} otherwise. Inputs of more than {@link #CHUNK} elements are split
 * into fixed chunks spread over {@link Parallel}; every element is computed the same way whatever
 * the split, so results do not depend on the thread count.
 *
 * <p>Each kernel has a scalar reference ({@code ...Scalar}) and a Vector API version
 * ({@code ...Simd}) with the same signature; the public entry point picks one by {@link Simd#enabled()}.
 */
public final class UnaryKernels {
    private UnaryKernels() {}

    /**
     * Elements per parallel task: 32 Ki floats, 128 KiB in and out. Handing work to a worker costs
     * from a few µs (it is spinning) to tens of µs (it must be woken), as much as the cheapest op,
     * add, takes on 32 Ki elements: shorter runs stay on the caller. Chunks of 8 Ki, 32 Ki and
     * 128 Ki measured alike on adds and exps of 1M and 16M floats (within this machine's noise).
     */
    static final int CHUNK = 1 << 15;

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    // ---------------------------------------------------------------------------------------- map

    /** {@code out[outOff + i] = op(in[inOff + i])} for i ∈ [0, n); see {@link UnaryOp} for the formulas. */
    public static void map(UnaryOp op, MemorySegment out, long outOff, MemorySegment in, long inOff, int n) {
        boolean simd = Simd.enabled();
        forEachChunk(n, (from, count) -> {
            if (simd) {
                mapSimd(op, out, outOff + from, in, inOff + from, count);
            } else {
                mapScalar(op, out, outOff + from, in, inOff + from, count);
            }
        });
    }

    /** Scalar reference of {@link #map}: {@link UnaryOp#apply} element by element. */
    public static void mapScalar(UnaryOp op, MemorySegment out, long outOff, MemorySegment in, long inOff, int n) {
        for (int i = 0; i < n; i++) {
            out.setAtIndex(JAVA_FLOAT, outOff + i, op.apply(in.getAtIndex(JAVA_FLOAT, inOff + i)));
        }
    }

    /**
     * Vector API version of {@link #map}. NEG, ABS, SQRT and RELU are exact; RSQRT rounds twice; EXP,
     * LOG, TANH, SIGMOID, SIN and COS are {@link VectorMath}'s (within 1–2 ulp of the reference, and
     * the same bits whether interpreted or compiled); GELU rounds a few times in float.
     */
    public static void mapSimd(UnaryOp op, MemorySegment out, long outOff, MemorySegment in, long inOff, int n) {
        int bound = SPECIES.loopBound(n);
        // One small loop method per op. The operator must be a constant inside the loop to be
        // intrinsified; a switch inside one loop made cheap ops 2.6x slower, and a switch over
        // loops in one method ran the ops not yet seen when C2 compiled it 5-20x slower (their
        // calls were left cold, not inlined): separate methods get separate profiles.
        switch (op) {
            case NEG -> neg(out, outOff, in, inOff, bound);
            case ABS -> abs(out, outOff, in, inOff, bound);
            case EXP -> exp(out, outOff, in, inOff, bound);
            case LOG -> log(out, outOff, in, inOff, bound);
            case SQRT -> sqrt(out, outOff, in, inOff, bound);
            case RSQRT -> rsqrt(out, outOff, in, inOff, bound);
            case TANH -> tanh(out, outOff, in, inOff, bound);
            case SIGMOID -> sigmoid(out, outOff, in, inOff, bound);
            case RELU -> relu(out, outOff, in, inOff, bound);
            case GELU -> gelu(out, outOff, in, inOff, bound);
            case SIN -> sin(out, outOff, in, inOff, bound);
            case COS -> cos(out, outOff, in, inOff, bound);
        }
        mapScalar(op, out, outOff + bound, in, inOff + bound, n - bound);
    }

    // The loops of mapSimd over [0, bound), bound a multiple of the lane count. TANH and GELU store
    // with intoMemorySegment, not store(): C2 stops inlining our own methods once a compilation has
    // 18000 nodes (each Vector API call brings ~400), which their formulas nearly reach, and a store
    // left as a call would box every vector. The Vector API's own methods are always inlined.

    private static void neg(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, load(in, inOff + i).neg());
        }
    }

    private static void abs(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, load(in, inOff + i).abs());
        }
    }

    private static void exp(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, VectorMath.exp(load(in, inOff + i)));
        }
    }

    private static void log(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, VectorMath.log(load(in, inOff + i)));
        }
    }

    private static void sqrt(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, load(in, inOff + i).sqrt());
        }
    }

    private static void rsqrt(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, inverse(load(in, inOff + i).sqrt()));
        }
    }

    private static void tanh(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            VectorMath.tanh(load(in, inOff + i)).intoMemorySegment(out, (outOff + i) * Float.BYTES, ORDER);
        }
    }

    private static void sigmoid(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, VectorMath.sigmoid(load(in, inOff + i)));
        }
    }

    private static void relu(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, load(in, inOff + i).max(0f));
        }
    }

    private static void gelu(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            gelu(load(in, inOff + i)).intoMemorySegment(out, (outOff + i) * Float.BYTES, ORDER);
        }
    }

    private static void sin(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, VectorMath.sin(load(in, inOff + i)));
        }
    }

    private static void cos(MemorySegment out, long outOff, MemorySegment in, long inOff, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, VectorMath.cos(load(in, inOff + i)));
        }
    }

    /** 1/x */
    private static FloatVector inverse(FloatVector x) {
        return FloatVector.broadcast(SPECIES, 1f).div(x);
    }

    /** x·Φ(x) with the formula of {@link UnaryOp#normalCdf}, in float. */
    private static FloatVector gelu(FloatVector x) {
        // Past u = 20, Φ(−u) underflows anyway; the cap keeps u² finite for x = ±∞ (else the
        // rounding error r of −u²/2 below would be ∞ − ∞ = NaN).
        FloatVector u = x.abs().min(20f);
        FloatVector t = inverse(u.fma(UnaryOp.GELU_Q, 1f));
        FloatVector p = VectorMath.horner(t, GELU_P);
        // e^(−u²/2): −u²/2 rounded to float, s, is off by up to 8 ulp of the result at u = 4, so its
        // rounding error r = −u²/2 − s (exact from an fma) is folded back in: e^(s + r) ≈ e^s·(1 + r).
        FloatVector halfU = u.mul(-0.5f);
        FloatVector s = halfU.mul(u);
        FloatVector r = halfU.fma(u, s.neg());
        FloatVector e = VectorMath.exp(s);
        // x·Φ(−u) with x capped like u: past 20, Φ(−u) is 0 and +∞·0 would be NaN.
        FloatVector xTail = x.min(20f).mul(t.mul(p)).mul(e.fma(r, e));
        return xTail.blend(x.sub(xTail), x.compare(VectorOperators.GE, 0f)); // x·Φ(−u) or x·(1 − Φ(−u))
    }

    /** {@link UnaryOp#GELU_P} rounded to float for the SIMD path. */
    private static final float[] GELU_P = new float[UnaryOp.GELU_P.length];

    static {
        for (int k = 0; k < GELU_P.length; k++) {
            GELU_P[k] = (float) UnaryOp.GELU_P[k];
        }
    }

    // ---------------------------------------------------------------------------------------- pow

    /**
     * {@code out[outOff + i] = in[inOff + i]^exponent}. As in PyTorch, exponents 2, 0.5 and −1 take
     * x·x, √x and 1/x (exact or correctly rounded, and faster); note √(−0) = −0 and √(−∞) = NaN
     * where {@link Math#pow} gives +0 and +∞.
     */
    public static void pow(MemorySegment out, long outOff, MemorySegment in, long inOff, float exponent, int n) {
        boolean simd = Simd.enabled();
        forEachChunk(n, (from, count) -> {
            if (simd) {
                powSimd(out, outOff + from, in, inOff + from, exponent, count);
            } else {
                powScalar(out, outOff + from, in, inOff + from, exponent, count);
            }
        });
    }

    /** Scalar reference of {@link #pow}: {@code (float) Math.pow(x, exponent)}. */
    public static void powScalar(MemorySegment out, long outOff, MemorySegment in, long inOff, float exponent, int n) {
        for (int i = 0; i < n; i++) {
            out.setAtIndex(JAVA_FLOAT, outOff + i, (float) Math.pow(in.getAtIndex(JAVA_FLOAT, inOff + i), exponent));
        }
    }

    /**
     * Vector API version of {@link #pow}. Other exponents take the scalar reference: the Vector API's
     * POW lanes (SVML once compiled, Math.pow before) change their last bits when C2 compiles the
     * loop, and a vector pow within an ulp needs logarithms in double (an error ε in log x becomes
     * |y·log x|·ε in xʸ): a prototype that way was too large for C2 to inline into the loop, and
     * ran no faster than this scalar loop.
     */
    public static void powSimd(MemorySegment out, long outOff, MemorySegment in, long inOff, float exponent, int n) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        if (exponent == 2f) {
            for (int i = 0; i < bound; i += step) {
                FloatVector x = load(in, inOff + i);
                store(out, outOff + i, x.mul(x));
            }
        } else if (exponent == 0.5f) {
            for (int i = 0; i < bound; i += step) {
                store(out, outOff + i, load(in, inOff + i).sqrt());
            }
        } else if (exponent == -1f) {
            for (int i = 0; i < bound; i += step) {
                store(out, outOff + i, inverse(load(in, inOff + i)));
            }
        } else {
            bound = 0; // no vector pow: see above
        }
        powScalar(out, outOff + bound, in, inOff + bound, exponent, n - bound);
    }

    // -------------------------------------------------------------------------------------- clamp

    /**
     * {@code out[outOff + i] = min(max(in[inOff + i], lo), hi)}: NaN stays NaN, and lo &gt; hi gives
     * hi everywhere, as {@code torch.clamp}.
     */
    public static void clamp(MemorySegment out, long outOff, MemorySegment in, long inOff,
                             float lo, float hi, int n) {
        boolean simd = Simd.enabled();
        forEachChunk(n, (from, count) -> {
            if (simd) {
                clampSimd(out, outOff + from, in, inOff + from, lo, hi, count);
            } else {
                clampScalar(out, outOff + from, in, inOff + from, lo, hi, count);
            }
        });
    }

    /** Scalar reference of {@link #clamp}. */
    public static void clampScalar(MemorySegment out, long outOff, MemorySegment in, long inOff,
                                   float lo, float hi, int n) {
        for (int i = 0; i < n; i++) {
            out.setAtIndex(JAVA_FLOAT, outOff + i, Math.min(Math.max(in.getAtIndex(JAVA_FLOAT, inOff + i), lo), hi));
        }
    }

    /** Vector API version of {@link #clamp}; exact (max and min follow {@link Math#max} and {@link Math#min}). */
    public static void clampSimd(MemorySegment out, long outOff, MemorySegment in, long inOff,
                                 float lo, float hi, int n) {
        int step = SPECIES.length();
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += step) {
            store(out, outOff + i, load(in, inOff + i).max(lo).min(hi));
        }
        clampScalar(out, outOff + bound, in, inOff + bound, lo, hi, n - bound);
    }

    // ------------------------------------------------------------------------------------ helpers

    private static FloatVector load(MemorySegment in, long index) {
        return FloatVector.fromMemorySegment(SPECIES, in, index * Float.BYTES, ORDER);
    }

    private static void store(MemorySegment out, long index, FloatVector v) {
        v.intoMemorySegment(out, index * Float.BYTES, ORDER);
    }

    /** Work on elements [from, from + count) of an elementwise kernel. */
    @FunctionalInterface
    interface Range {
        void run(int from, int count);
    }

    /**
     * Runs {@code body} over [0, n) in fixed {@link #CHUNK}-element ranges spread over the pool; a
     * single range runs on the caller. Shared by the elementwise kernels of this package.
     */
    static void forEachChunk(int n, Range body) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (n <= CHUNK) {
            body.run(0, n);
            return;
        }
        Parallel.forEach(Parallel.tasks(n, CHUNK), t -> {
            int from = t * CHUNK;
            body.run(from, Math.min(CHUNK, n - from));
        });
    }
}
