package kiln.nn.loss;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import kiln.autograd.GradCheck;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/**
 * The gradient of every loss, for every combination of its options and every reduction, against
 * central differences in float64 ({@link GradCheck}), with respect to the prediction.
 */
class LossGradCheckTest {
    static final List<Reduction> USUAL = List.of(Reduction.NONE, Reduction.SUM, Reduction.MEAN);

    /** Checks d loss / d prediction for each reduction; the prediction must require a gradient. */
    static void check(String name, Function<Reduction, Loss> loss, Tensor prediction, Tensor target, List<Reduction> reductions) {
        for (Reduction r : reductions) {
            Loss l = loss.apply(r);
            GradCheck.check(name + " " + r, in -> l.apply(in[0], in[1]), prediction, target);
        }
    }

    static Tensor leaf(Tensor t) {
        return t.requiresGrad(true);
    }

    @Test
    void regressionLosses() {
        Generator rng = new Generator(1);
        try (MemoryScope scope = MemoryScope.open()) {
            // Differences spread over ±3 so that SmoothL1 and Huber meet both pieces
            Tensor x = leaf(Tensor.randn(rng, DType.FLOAT64, 4, 3).mul(2));
            Tensor y = Tensor.randn(rng, DType.FLOAT64, 4, 3);
            check("MSELoss", MSELoss::new, x, y, USUAL);
            check("L1Loss", L1Loss::new, x, y, USUAL);
            for (double beta : new double[] {0, 0.5, 1}) {
                check("SmoothL1Loss(beta=" + beta + ")", r -> new SmoothL1Loss(beta, r), x, y, USUAL);
            }
            for (double delta : new double[] {0.5, 1.5}) {
                check("HuberLoss(delta=" + delta + ")", r -> new HuberLoss(delta, r), x, y, USUAL);
            }
        }
    }

    @Test
    void binaryCrossEntropyOnProbabilities() {
        Generator rng = new Generator(2);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor p = leaf(Tensor.rand(rng, DType.FLOAT64, 4, 3).mul(0.9).add(0.05));   // in [0.05, 0.95)
            Tensor t = Tensor.rand(rng, DType.FLOAT64, 4, 3);
            Tensor columnWeight = Tensor.rand(rng, DType.FLOAT64, 3).add(0.5);
            Tensor elementWeight = Tensor.rand(rng, DType.FLOAT64, 4, 3).add(0.5);
            check("BCELoss", r -> new BCELoss().withReduction(r), p, t, USUAL);
            check("BCELoss(weight [3])", r -> new BCELoss(columnWeight, r), p, t, USUAL);
            check("BCELoss(weight [4, 3])", r -> new BCELoss(elementWeight, r), p, t, USUAL);
        }
    }

    @Test
    void binaryCrossEntropyOnLogitsIncludingZeroAndSaturatedLogits() {
        Generator rng = new Generator(3);
        try (MemoryScope scope = MemoryScope.open()) {
            // 0 exactly (where max(−x, 0) has a kink) and ±30 (where σ saturates) besides ordinary logits
            Tensor x = leaf(Tensor.fromArray(new double[] {0, -30, 30, 1.5, -0.7, 2.2, -2.9, 0.3, 0.9, -1.1, 4.0, -4.0}, 4, 3));
            Tensor t = Tensor.rand(rng, DType.FLOAT64, 4, 3);
            Tensor weight = Tensor.rand(rng, DType.FLOAT64, 4, 3).add(0.5);
            Tensor posWeight = Tensor.fromArray(new double[] {0.5, 2, 3}, 3);
            for (Tensor w : new Tensor[] {null, weight}) {
                for (Tensor pw : new Tensor[] {null, posWeight}) {
                    String name = "BCEWithLogitsLoss(weight=" + (w != null) + ", posWeight=" + (pw != null) + ")";
                    check(name, r -> new BCEWithLogitsLoss(w, pw, r), x, t, USUAL);
                }
            }
        }
    }

    @Test
    void crossEntropyAndNllForEveryOptionCombination() {
        Generator rng = new Generator(4);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor logits = leaf(Tensor.randn(rng, DType.FLOAT64, 6, 4).mul(2));
            Tensor target = Tensor.fromArray(new long[] {2, 1, 0, 3, 1, 3}, 6);   // class 1 twice: the ignore index below
            Tensor weights = Tensor.fromArray(new double[] {0.5, 1.5, 0.8, 1.2}, 4);
            for (Tensor w : new Tensor[] {null, weights}) {
                for (long ignore : new long[] {CrossEntropyLoss.DEFAULT_IGNORE_INDEX, 1}) {
                    for (double eps : new double[] {0, 0.2}) {
                        String options = "(weights=" + (w != null) + ", ignoreIndex=" + ignore + ", labelSmoothing=" + eps + ")";
                        check("CrossEntropyLoss" + options, r -> new CrossEntropyLoss(w, ignore, eps, r), logits, target, USUAL);
                    }
                    Tensor logProbs = leaf(logits.detach().logSoftmax(1));
                    check("NLLLoss(weights=" + (w != null) + ", ignoreIndex=" + ignore + ")",
                            r -> new NLLLoss(w, ignore, r), logProbs, target, USUAL);
                }
            }
        }
    }

    @Test
    void crossEntropyOverSpatialPositionsAndForOneSample() {
        Generator rng = new Generator(5);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor logits = leaf(Tensor.randn(rng, DType.FLOAT64, 2, 3, 2, 2));      // [N, C, H, W]
            Tensor target = Tensor.fromArray(new long[] {0, 2, 1, 1, 2, 0, 0, 1}, 2, 2, 2);
            Tensor weights = Tensor.fromArray(new double[] {0.7, 1.3, 1.0}, 3);
            check("CrossEntropyLoss [N, C, H, W]", r -> new CrossEntropyLoss(weights, 1, 0.1, r), logits, target, USUAL);
            Tensor one = leaf(Tensor.randn(rng, DType.FLOAT64, 5));                   // [C]
            check("CrossEntropyLoss [C]", r -> new CrossEntropyLoss().withLabelSmoothing(0.1).withReduction(r),
                    one, Tensor.scalar(3, DType.INT64), USUAL);
        }
    }

    @Test
    void klDivergenceWithProbabilityAndLogTargets() {
        Generator rng = new Generator(6);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = leaf(Tensor.randn(rng, DType.FLOAT64, 3, 4).logSoftmax(1));
            // one target probability exactly 0, where t·log t is taken as 0
            Tensor t = Tensor.fromArray(new double[] {0.1, 0.2, 0.3, 0.4, 0, 0.5, 0.25, 0.25, 0.7, 0.1, 0.1, 0.1}, 3, 4);
            List<Reduction> all = List.of(Reduction.values());
            check("KLDivLoss", r -> new KLDivLoss(false, r), x, t, all);
            check("KLDivLoss(logTarget)", r -> new KLDivLoss(true, r), x, Tensor.randn(rng, DType.FLOAT64, 3, 4).logSoftmax(1), all);
        }
    }
}
