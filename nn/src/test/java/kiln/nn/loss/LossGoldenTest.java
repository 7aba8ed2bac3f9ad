package kiln.nn.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Golden;

/**
 * Every loss against PyTorch 1.13 (nn/src/test/resources/golden/losses, written by
 * tools/reference/make_goldens.py): for each reduction in a file, the output and the gradient of the
 * input. For NONE the file's {@code upstream.none} is the seed, {@code output.backward(upstream)}.
 */
class LossGoldenTest {
    /**
     * Both sides compute in float32, in different orders (PyTorch fuses some steps, e.g. BCE's
     * gradient is one expression (p − t)/(p(1 − p)), ours the chain rule through each op; its
     * log-softmax and sums differ in order): a few roundings of 2⁻²⁴ each. Measured: outputs within
     * 7e-7 relative, gradients within 5e-6 relative, except gradient entries that cancel (label
     * smoothing's softmax − ε/C), which are within 6e-8 absolute. A wrong formula is off by 1e-2 or more.
     */
    static final double RELATIVE = 1e-5;
    static final double ABSOLUTE = 1e-7;

    /** A golden file and the loss its header describes, given the file (for weights) and a reduction. */
    record Case(String file, BiFunction<Golden, Reduction, Loss> loss) {
        @Override
        public String toString() { return file; }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("mse", (g, r) -> new MSELoss(r)),
                new Case("l1", (g, r) -> new L1Loss(r)),
                new Case("smoothl1", (g, r) -> new SmoothL1Loss(0.5, r)),
                new Case("huber", (g, r) -> new HuberLoss(1.5, r)),
                new Case("bce", (g, r) -> new BCELoss().withReduction(r)),
                new Case("bce_with_logits", (g, r) -> new BCEWithLogitsLoss().withReduction(r)),
                new Case("bce_with_logits_pos_weight",
                        (g, r) -> new BCEWithLogitsLoss().withPosWeight(g.tensor("pos_weight")).withReduction(r)),
                new Case("nll", (g, r) -> new NLLLoss().withReduction(r)),
                new Case("cross_entropy", (g, r) -> new CrossEntropyLoss().withReduction(r)),
                new Case("cross_entropy_weighted",
                        (g, r) -> new CrossEntropyLoss().withClassWeights(g.tensor("weight")).withReduction(r)),
                new Case("cross_entropy_smoothing", (g, r) -> new CrossEntropyLoss().withLabelSmoothing(0.1).withReduction(r)),
                new Case("cross_entropy_ignore", (g, r) -> new CrossEntropyLoss().withIgnoreIndex(1).withReduction(r)),
                new Case("cross_entropy_all", (g, r) -> new CrossEntropyLoss()
                        .withClassWeights(g.tensor("weight")).withLabelSmoothing(0.2).withIgnoreIndex(1).withReduction(r)),
                new Case("kl_div", (g, r) -> new KLDivLoss().withReduction(r)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputAndInputGradientMatchPyTorch(Case c) {
        Golden g = Golden.load("/golden/losses/" + c.file() + ".txt");
        List<Reduction> present = Stream.of(Reduction.values()).filter(r -> g.has("output." + key(r))).toList();
        assertTrue(present.containsAll(List.of(Reduction.NONE, Reduction.SUM, Reduction.MEAN)), c + ": " + g.names());
        for (Reduction r : present) {
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor input = g.tensor("input").requiresGrad(true);
                Tensor output = c.loss().apply(g, r).apply(input, g.tensor("target"));
                String what = c.file() + " " + key(r);
                assertArrayEquals(g.dims("output." + key(r)), output.dims(), what + ": output shape");
                assertClose(g.doubles("output." + key(r)), output.toDoubleArray(), what + " output");
                if (r == Reduction.NONE) {
                    output.backward(g.tensor("upstream.none"));
                } else {
                    output.backward();
                }
                assertClose(g.doubles("grad.input." + key(r)), input.grad().toDoubleArray(), what + " grad.input");
                input.setGrad(null);
            }
        }
    }

    /** The golden files' names for reductions: PyTorch's strings. */
    static String key(Reduction r) {
        return r.name().toLowerCase(Locale.ROOT).replace("_", "");
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": number of values");
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            if (!(error <= ABSOLUTE + RELATIVE * Math.abs(expected[i]))) {
                throw new AssertionError(what + " at flat index " + i + ": PyTorch " + expected[i] + ", Kiln " + actual[i]
                        + " (|difference| " + error + " > " + ABSOLUTE + " + " + RELATIVE + "·|expected|)");
            }
        }
    }
}
