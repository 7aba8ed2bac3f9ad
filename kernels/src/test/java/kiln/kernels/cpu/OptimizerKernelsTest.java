package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static kiln.kernels.cpu.UnaryKernelsTest.IN_OFF;
import static kiln.kernels.cpu.UnaryKernelsTest.OUT_OFF;
import static kiln.kernels.cpu.UnaryKernelsTest.SENTINEL;
import static kiln.kernels.cpu.UnaryKernelsTest.assertUntouchedOutside;
import static kiln.kernels.cpu.UnaryKernelsTest.filled;
import static kiln.kernels.cpu.UnaryKernelsTest.random;
import static kiln.kernels.cpu.UnaryKernelsTest.read;
import static kiln.kernels.cpu.UnaryKernelsTest.withSimd;
import static kiln.kernels.cpu.UnaryKernelsTest.withThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.kernels.cpu.OptimizerKernels.AdagradStep;
import kiln.kernels.cpu.OptimizerKernels.AdamStep;
import kiln.kernels.cpu.OptimizerKernels.RmspropStep;
import kiln.kernels.cpu.OptimizerKernels.SgdStep;

/**
 * The fused optimizer kernels: SIMD against the scalar reference bit for bit (they do the same IEEE
 * operations in the same order), over awkward sizes and several steps with every option; the same once
 * the loops are compiled; 1 against 2 threads; nothing written outside the run. That the reference
 * computes each optimizer's formula (the same bits as the tensor-op path, and close to float64) is
 * checked in kiln.nn.optim.FusedUpdateTest, and against PyTorch by OptimizerGoldenTest.
 */
class OptimizerKernelsTest {

    /** A call of one kernel on a parameter run, its state runs (all at OUT_OFF) and a gradient run (at IN_OFF), at step t ≥ 1. */
    @FunctionalInterface
    private interface Update {
        void apply(MemorySegment param, MemorySegment[] state, MemorySegment grad, int t, int n);
    }

    /** One configuration: a name, how many state runs it keeps and their starting value, the call. */
    private record Case(String name, int states, float initialState, Update update) {
        @Override
        public String toString() { return name; }
    }

    private static AdamStep adamStep(int t, double weightDecay, double shrink, boolean amsgrad) {
        double beta1 = 0.9;
        double beta2 = 0.999;
        double lr = 0.01;
        return new AdamStep(beta1, beta2, 1e-8, weightDecay, shrink, amsgrad,
                lr / (1 - Math.pow(beta1, t)), Math.sqrt(1 - Math.pow(beta2, t)));
    }

    private static Update adam(double weightDecay, double shrink, boolean amsgrad) {
        return (p, s, g, t, n) -> OptimizerKernels.adam(p, OUT_OFF, s[0], OUT_OFF, s[1], OUT_OFF, amsgrad ? s[2] : null, OUT_OFF,
                g, IN_OFF, adamStep(t, weightDecay, shrink, amsgrad), n);
    }

    private static Update sgd(double momentum, double dampening, boolean nesterov, double weightDecay) {
        return (p, s, g, t, n) -> OptimizerKernels.sgd(p, OUT_OFF, momentum != 0 ? s[0] : null, OUT_OFF, g, IN_OFF,
                new SgdStep(0.05, momentum, dampening, nesterov, weightDecay, t == 1), n);
    }

    private static Update rmsprop(double momentum, boolean centered, double weightDecay) {
        return (p, s, g, t, n) -> OptimizerKernels.rmsprop(p, OUT_OFF, s[0], OUT_OFF, centered ? s[1] : null, OUT_OFF,
                momentum > 0 ? s[centered ? 2 : 1] : null, OUT_OFF, g, IN_OFF,
                new RmspropStep(0.01, 0.99, 1e-8, weightDecay, momentum, centered), n);
    }

    private static Update adagrad(double weightDecay) {
        return (p, s, g, t, n) -> OptimizerKernels.adagrad(p, OUT_OFF, s[0], OUT_OFF, g, IN_OFF,
                new AdagradStep(0.1 / (1 + (t - 1) * 0.01), 1e-10, weightDecay), n);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("sgd", 0, 0, sgd(0, 0, false, 0)),
                new Case("sgd momentum dampening wd", 1, 0, sgd(0.9, 0.1, false, 0.01)),
                new Case("sgd nesterov wd", 1, 0, sgd(0.9, 0, true, 0.01)),
                new Case("adam", 2, 0, adam(0, 1, false)),
                new Case("adam wd amsgrad", 3, 0, adam(0.1, 1, true)),
                new Case("adamw", 2, 0, adam(0, 1 - 0.01 * 0.1, false)),
                new Case("rmsprop", 1, 0, rmsprop(0, false, 0)),
                new Case("rmsprop centered momentum wd", 3, 0, rmsprop(0.5, true, 0.01)),
                new Case("adagrad", 1, 0, adagrad(0)),
                new Case("adagrad wd", 1, 0.1f, adagrad(0.01)));
    }

    static Stream<Arguments> casesAndSizes() {
        return cases().flatMap(c -> UnaryKernelsTest.sizes().mapToObj(n -> Arguments.of(c, n)));
    }

    /** A parameter, its state and a gradient per step, all in one arena. */
    private record Run(MemorySegment param, MemorySegment[] state, MemorySegment[] grads) {
        static Run of(Arena arena, Case c, int n, int steps) {
            MemorySegment[] state = new MemorySegment[c.states()];
            for (int k = 0; k < state.length; k++) {
                state[k] = filled(arena, OUT_OFF + n + 8, SENTINEL);
                for (int i = 0; i < n; i++) {
                    state[k].setAtIndex(JAVA_FLOAT, OUT_OFF + i, c.initialState());
                }
            }
            MemorySegment[] grads = new MemorySegment[steps];
            for (int t = 0; t < steps; t++) {
                grads[t] = random(arena, IN_OFF, n, 1000L * t + n, -1, 1);
            }
            return new Run(random(arena, OUT_OFF, n, 7 + n, -2, 2), state, grads);
        }

        void step(Case c, int t, int n) {
            c.update().apply(param, state, grads[t - 1], t, n);
        }

        /** Every output run as bits, parameter first, for exact comparison. */
        int[][] bits(int n) {
            int[][] all = new int[1 + state.length][];
            all[0] = bitsOf(param, n);
            for (int k = 0; k < state.length; k++) {
                all[1 + k] = bitsOf(state[k], n);
            }
            return all;
        }

        void assertUntouched(int n) {
            assertUntouchedOutside(param, OUT_OFF, n);
            for (MemorySegment s : state) {
                assertUntouchedOutside(s, OUT_OFF, n);
            }
        }
    }

    private static int[] bitsOf(MemorySegment s, int n) {
        float[] values = read(s, OUT_OFF, n);
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    private static final int STEPS = 4;

    @ParameterizedTest(name = "{0}, n = {1}")
    @MethodSource("casesAndSizes")
    void simdMatchesScalarBitForBitOverSeveralSteps(Case c, int n) {
        try (Arena arena = Arena.ofShared()) {
            Run scalar = Run.of(arena, c, n, STEPS);
            Run simd = Run.of(arena, c, n, STEPS);
            for (int t = 1; t <= STEPS; t++) {
                int step = t;
                withSimd(false, () -> scalar.step(c, step, n));
                withSimd(true, () -> simd.step(c, step, n));
                assertArrayEquals(scalar.bits(n), simd.bits(n), c + " n=" + n + " step " + t);
            }
            scalar.assertUntouched(n);
            simd.assertUntouched(n);
        }
    }

    /**
     * The same once C2 has compiled the loops: a cold loop runs the Vector API's Java fallback lane by
     * lane, and only compiled code uses vector instructions (and could, say, fuse a multiply and an add).
     */
    @ParameterizedTest
    @MethodSource("cases")
    void compiledSimdMatchesScalarBitForBit(Case c) {
        int n = 4099;
        try (Arena arena = Arena.ofShared()) {
            Run scalar = Run.of(arena, c, n, 1);
            Run simd = Run.of(arena, c, n, 1);
            for (int round = 0; round < 3000; round++) {
                // Step 1 again and again on the same gradient: the state moves on, the factors stay.
                withSimd(false, () -> scalar.step(c, 1, n));
                withSimd(true, () -> simd.step(c, 1, n));
            }
            assertArrayEquals(scalar.bits(n), simd.bits(n), c.name());
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void oneAndTwoThreadsGiveTheSameBits(Case c) {
        int n = 3 * UnaryKernels.CHUNK + 17;
        try (Arena arena = Arena.ofShared()) {
            Run one = Run.of(arena, c, n, 2);
            Run two = Run.of(arena, c, n, 2);
            for (int t = 1; t <= 2; t++) {
                int step = t;
                withThreads(1, () -> { one.step(c, step, n); return null; });
                withThreads(2, () -> { two.step(c, step, n); return null; });
            }
            assertArrayEquals(one.bits(n), two.bits(n), c.name());
        }
    }

    /** A hand-worked Adam step from zero state: m = 0.1g, v = 0.001g², θ − lr·sign(g) up to ε. */
    @Test
    void adamsFirstStepMovesEachParameterByTheLearningRate() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment param = UnaryKernelsTest.floats(arena, 1f, -1f, 0.5f);
            MemorySegment grad = UnaryKernelsTest.floats(arena, 0.5f, -2f, 0f);
            MemorySegment m = UnaryKernelsTest.floats(arena, 0, 0, 0);
            MemorySegment v = UnaryKernelsTest.floats(arena, 0, 0, 0);
            OptimizerKernels.adam(param, 0, m, 0, v, 0, null, 0, grad, 0, new AdamStep(0.9, 0.999, 1e-8, 0, 1, false,
                    0.01 / (1 - 0.9), Math.sqrt(1 - 0.999)), 3);
            float[] theta = read(param, 0, 3);
            assertEquals(1 - 0.01, theta[0], 1e-6);
            assertEquals(-1 + 0.01, theta[1], 1e-6);
            assertEquals(0.5, theta[2], 0, "a zero gradient leaves the parameter");
            assertArrayEquals(new float[] {0.05f, -0.2f, 0f}, read(m, 0, 3), 1e-7f);
            assertArrayEquals(new float[] {0.00025f, 0.004f, 0f}, read(v, 0, 3), 1e-9f);
        }
    }
}
