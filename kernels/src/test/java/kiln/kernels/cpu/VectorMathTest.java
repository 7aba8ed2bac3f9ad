package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static kiln.kernels.cpu.UnaryKernelsTest.ulps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link VectorMath} against float64 {@link Math} over sweeps of every kind of float, at special
 * values, and across JIT tiers: a JVM that only interprets computes the same bits as a warmed-up one.
 */
class VectorMathTest {

    private static final int LANES = VectorMath.SPECIES.length();

    /** f applied to xs a vector at a time (the last vector padded with zeros). */
    private static float[] apply(UnaryOperator<FloatVector> f, float[] xs) {
        float[] padded = new float[(xs.length + LANES - 1) / LANES * LANES];
        System.arraycopy(xs, 0, padded, 0, xs.length);
        float[] ys = new float[padded.length];
        for (int i = 0; i < padded.length; i += LANES) {
            f.apply(FloatVector.fromArray(VectorMath.SPECIES, padded, i)).intoArray(ys, i);
        }
        return Arrays.copyOf(ys, xs.length);
    }

    // ------------------------------------------------------------------------------ accuracy sweeps

    /**
     * Every 251st float from −∞ to +∞ (17M values: all binades, both signs, subnormals), in the
     * order of their bits, so that neighbouring floats land in the same vector.
     */
    private static float[] sweep() {
        int stride = 251;
        long first = -(long) Float.floatToRawIntBits(Float.POSITIVE_INFINITY);
        float[] xs = new float[(int) (-2 * first / stride) + 1];
        for (int i = 0; i < xs.length; i++) {
            long ordered = first + (long) i * stride;
            xs[i] = ordered < 0 ? -Float.intBitsToFloat((int) -ordered) : Float.intBitsToFloat((int) ordered);
        }
        return xs;
    }

    /**
     * The worst case over every float, measured against (float) Math.f(x) in double, which these
     * bounds restate: exp, log and tanh 1 ulp; sigmoid 2 (an extra division); sin and cos 2 (the
     * reduction by π/2 adds a rounding; beyond {@link VectorMath#SIN_COS_LIMIT} they are Math's).
     * Subnormal results count in units of 2⁻¹⁴⁹ like any other.
     */
    static Stream<Arguments> functions() {
        return Stream.of(
                Arguments.of("exp", (UnaryOperator<FloatVector>) VectorMath::exp, (DoubleUnaryOperator) Math::exp, 1),
                Arguments.of("log", (UnaryOperator<FloatVector>) VectorMath::log, (DoubleUnaryOperator) Math::log, 1),
                Arguments.of("tanh", (UnaryOperator<FloatVector>) VectorMath::tanh, (DoubleUnaryOperator) Math::tanh, 1),
                Arguments.of("sigmoid", (UnaryOperator<FloatVector>) VectorMath::sigmoid,
                        (DoubleUnaryOperator) x -> 1 / (1 + Math.exp(-x)), 2),
                Arguments.of("sin", (UnaryOperator<FloatVector>) VectorMath::sin, (DoubleUnaryOperator) Math::sin, 2),
                Arguments.of("cos", (UnaryOperator<FloatVector>) VectorMath::cos, (DoubleUnaryOperator) Math::cos, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void matchesMathOverASweepOfAllFloats(String name, UnaryOperator<FloatVector> f, DoubleUnaryOperator reference,
                                         int maxUlps) {
        float[] xs = sweep();
        float[] ys = apply(f, xs);
        for (int i = 0; i < xs.length; i++) {
            float expected = (float) reference.applyAsDouble(xs[i]);
            if (ulps(expected, ys[i]) > maxUlps) {
                fail(name + "(" + xs[i] + ") = " + ys[i] + ", Math gives " + expected + " (" + ulps(expected, ys[i]) + " ulp)");
            }
        }
    }

    // ------------------------------------------------------------------------------ special values

    private static final float INF = Float.POSITIVE_INFINITY;
    private static final float NAN = Float.NaN;

    /** Checks f at each x against the expected value exactly (bits, but any NaN matches any NaN). */
    private static void assertExact(String name, UnaryOperator<FloatVector> f, float[] xs, float[] expected) {
        float[] ys = apply(f, xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(ys[i]),
                    name + "(" + xs[i] + ") = " + ys[i] + ", expected " + expected[i]);
        }
    }

    @Test
    void expSpecialValues() {
        // The edges: 88.72283 is the largest float with a finite eˣ, −87.33655 the largest with a
        // subnormal one, −103.97208 the smallest that does not underflow to 0.
        float[] xs = {NAN, INF, -INF, 0f, -0f, 1f, 88.72283f, 88.72284f, 1000f, -87.33654f, -87.33655f, -103.97208f,
            -103.97209f, -1000f};
        float[] expected = {NAN, INF, 0f, 1f, 1f, 2.7182817f, 0x1.ffff08p127f, INF, INF, 0x1.00004cp-126f,
            0x0.ffffccp-126f, Float.MIN_VALUE, 0f, 0f};
        assertExact("exp", VectorMath::exp, xs, expected);
    }

    @Test
    void logSpecialValues() {
        float[] xs = {NAN, INF, -INF, 0f, -0f, -1f, -Float.MIN_VALUE, 1f, 2f, Float.MIN_VALUE, Float.MIN_NORMAL,
            Float.MAX_VALUE};
        float[] expected = {NAN, INF, NAN, -INF, -INF, NAN, NAN, 0f, 0.6931472f, -103.27893f, -87.33655f, 88.72284f};
        assertExact("log", VectorMath::log, xs, expected);
    }

    @Test
    void tanhAndSigmoidSpecialValues() {
        float[] xs = {NAN, INF, -INF, 0f, -0f, 1e-30f, -1e-30f, 20f, -20f, -100f};
        assertExact("tanh", VectorMath::tanh, xs, new float[] {NAN, 1f, -1f, 0f, -0f, 1e-30f, -1e-30f, 1f, -1f, -1f});
        // σ(−100) = e^−100/(1 + e^−100) is subnormal: computed as e/(1 + e), it keeps its value.
        assertExact("sigmoid", VectorMath::sigmoid, xs,
                new float[] {NAN, 1f, 0f, 0.5f, 0.5f, 0.5f, 0.5f, 1f, 2.0611537e-9f, 3.8e-44f});
    }

    /** Zeros keep their sign, ±∞ gives NaN, and lanes past SIN_COS_LIMIT take Math's values, the other lanes unchanged. */
    @Test
    void sinAndCosSpecialValuesAndHugeArguments() {
        float[] xs = {NAN, INF, -INF, 0f, -0f, 1e-30f, 1e5f, -1e6f, VectorMath.SIN_COS_LIMIT, 1.5e6f, -3e7f, 1e30f,
            Float.MAX_VALUE, 3f, -3f, (float) Math.PI};
        float[] sin = new float[xs.length];
        float[] cos = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            sin[i] = (float) Math.sin(xs[i]);
            cos[i] = (float) Math.cos(xs[i]);
        }
        float[] ys = apply(VectorMath::sin, xs);
        float[] zs = apply(VectorMath::cos, xs);
        for (int i = 0; i < xs.length; i++) {
            boolean exact = Float.isNaN(xs[i]) || Float.isInfinite(xs[i]) || xs[i] == 0
                    || Math.abs(xs[i]) > VectorMath.SIN_COS_LIMIT;
            long tolerance = exact ? 0 : 2;
            if (ulps(sin[i], ys[i]) > tolerance || ulps(cos[i], zs[i]) > tolerance) {
                fail("sin, cos(" + xs[i] + ") = " + ys[i] + ", " + zs[i] + "; Math: " + sin[i] + ", " + cos[i]);
            }
        }
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(ys[4]), "sin(−0) = −0");
    }

    // ------------------------------------------------------------------------------ JIT tiers

    /**
     * Inputs for the tier comparison: random values over ranges where each function does something
     * (several binades, both signs), and special values.
     */
    private static float[] tierInputs() {
        SplittableRandom random = new SplittableRandom(2024);
        float[] xs = new float[4096];
        float[] specials = {NAN, INF, -INF, 0f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 88.72283f, -103.97f, 2e6f};
        for (int i = 0; i < xs.length; i++) {
            double scale = Math.pow(10, random.nextInt(-3, 3));
            xs[i] = i < specials.length ? specials[i] : (float) (random.nextDouble(-10, 10) * scale);
        }
        return xs;
    }

    /**
     * The SIMD loops that call {@link VectorMath} (every transcendental UnaryOp, softmax's exp pass
     * and log-sum-exp's sum of exps) on the tier inputs, results concatenated.
     */
    private static float[] simdResults() {
        float[] xs = tierInputs();
        int n = xs.length;
        UnaryOp[] ops = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.GELU, UnaryOp.SIN, UnaryOp.COS};
        float[] results = new float[(ops.length + 1) * n + 1];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = UnaryKernelsTest.floats(arena, xs);
            MemorySegment out = arena.allocate(4L * n, 64);
            for (int k = 0; k < ops.length; k++) {
                UnaryKernels.mapSimd(ops[k], out, 0, in, 0, n);
                MemorySegment.copy(out, JAVA_FLOAT, 0, results, k * n, n);
            }
            MemorySegment bounded = UnaryKernelsTest.random(arena, 0, n, 5, -30f, 30f);
            SoftmaxKernels.expShiftedSimd(out, 0, bounded, 0, n, 30f);
            MemorySegment.copy(out, JAVA_FLOAT, 0, results, ops.length * n, n);
            results[results.length - 1] = (float) ReduceKernels.sumExpSimd(bounded, 0, n, 30f);
        }
        return results;
    }

    /** The child JVM's entry point: writes {@link #simdResults()} to stdout as raw float bits. */
    public static void main(String[] args) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(System.out))) {
            for (float y : simdResults()) {
                out.writeInt(Float.floatToRawIntBits(y));
            }
        }
    }

    /**
     * The bits must not depend on the JIT: this JVM, after warming the loops up until C2 compiles
     * them to vector instructions (2000 calls: 512K iterations of each loop, far past C2's
     * thresholds), against a fresh JVM that only interprets ({@code -Xint}: the Vector API's Java
     * fallback, lane by lane) or stops at C1 (which does not intrinsify the Vector API either). With
     * the JDK's lanewise EXP, TANH, SIN... (SVML once compiled) 511 of these 32769 results differed.
     * NaN payloads are not compared.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-Xint", "-XX:TieredStopAtLevel=1"})
    void interpretedAndCompiledGiveTheSameBits(String tierFlag) throws Exception {
        for (int warmUp = 0; warmUp < 2000; warmUp++) {
            simdResults();
        }
        float[] compiled = simdResults();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", tierFlag,
                "-cp", System.getProperty("java.class.path"), VectorMathTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        float[] fresh = new float[compiled.length];
        try (DataInputStream in = new DataInputStream(child.getInputStream())) {
            for (int i = 0; i < fresh.length; i++) {
                fresh[i] = Float.intBitsToFloat(in.readInt());
            }
        }
        assertEquals(0, child.waitFor(), "child JVM exit status");
        for (int i = 0; i < compiled.length; i++) {
            if (Float.floatToIntBits(compiled[i]) != Float.floatToIntBits(fresh[i])) {
                fail("result " + i + " (loop " + i / tierInputs().length + "): compiled " + compiled[i]
                        + ", " + tierFlag + " " + fresh[i]);
            }
        }
    }
}
