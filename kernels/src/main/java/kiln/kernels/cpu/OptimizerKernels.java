package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused optimizer updates on float32 runs: one pass reads each parameter, its gradient and its state
 * once and writes the new parameter and state, where the same update written with tensor operations
 * makes about a dozen passes and as many temporaries (Adam over the 235k parameters of a small MLP,
 * one thread: ≈1.1 ms as tensor ops, 0.1–0.2 ms here; see OptimizerBench).
 *
 * <p><b>Same numbers as the tensor operations.</b> Each kernel does, per element, the float32
 * operations of the optimizer's tensor-op path in the same order ({@code kiln.nn.optim}: PyTorch's
 * order), each rounded to float, with every scalar factor (β, 1 − β, the bias corrections, the step
 * size...) computed in double by the caller and rounded once to float, as a tensor op's scalar operand
 * is. So a fused step gives bit for bit the parameters and state of the unfused one. No fused
 * multiply-add: it would round once where the tensor path rounds twice. The SIMD versions do the same
 * IEEE operations lane by lane (+, −, ×, ÷, √ and max are exactly rounded), so they agree with their
 * scalar references bit for bit too.
 *
 * <p><b>Arguments.</b> Offsets count elements. Outputs first: the parameter and the state, which are
 * read and written in place; then the gradient; then the step's factors and the length n. State that
 * the options do not use (momentum without μ, AMSGrad's maximum...) may be null. Runs longer than
 * {@link UnaryKernels#CHUNK} are split into fixed chunks spread over {@link Parallel}; every element is
 * computed alone, so results do not depend on the thread count.
 */
public final class OptimizerKernels {
    private OptimizerKernels() {}

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    // ---------------------------------------------------------------------------------------- SGD

    /**
     * One SGD step's factors: learning rate γ, momentum μ (0: none), dampening τ, Nesterov, L2 weight
     * decay λ, and whether this is the parameter's first step (the momentum buffer starts as g).
     */
    public record SgdStep(double lr, double momentum, double dampening, boolean nesterov, double weightDecay, boolean firstStep) {}

    /**
     * SGD (PyTorch's {@code torch.optim.SGD}), per element:
     * <pre>
     *   g ← g + θ·λ                          (if λ ≠ 0)
     *   b ← g on the first step, else b·μ + g·(1 − τ);   d ← g + b·μ (Nesterov) or b     (if μ ≠ 0; else d ← g)
     *   θ ← θ + d·(−γ)
     * </pre>
     * {@code buffer} is the momentum buffer b, unused (may be null) when μ = 0.
     */
    public static void sgd(MemorySegment param, long paramOff, MemorySegment buffer, long bufferOff,
                           MemorySegment grad, long gradOff, SgdStep step, int n) {
        boolean simd = Simd.enabled();
        UnaryKernels.forEachChunk(n, (from, count) -> {
            if (simd) {
                sgdSimd(param, paramOff + from, buffer, bufferOff + from, grad, gradOff + from, step, count);
            } else {
                sgdScalar(param, paramOff + from, buffer, bufferOff + from, grad, gradOff + from, step, count);
            }
        });
    }

    /** Scalar reference of {@link #sgd}. */
    public static void sgdScalar(MemorySegment param, long paramOff, MemorySegment buffer, long bufferOff,
                                 MemorySegment grad, long gradOff, SgdStep step, int n) {
        boolean decay = step.weightDecay() != 0;
        boolean momentum = step.momentum() != 0;
        float lambda = (float) step.weightDecay();
        float mu = (float) step.momentum();
        float keep = (float) (1 - step.dampening());
        float negLr = (float) -step.lr();
        for (int i = 0; i < n; i++) {
            float theta = get(param, paramOff + i);
            float g = get(grad, gradOff + i);
            if (decay) {
                g = g + theta * lambda;
            }
            float d = g;
            if (momentum) {
                float b = step.firstStep() ? g : get(buffer, bufferOff + i) * mu + g * keep;
                set(buffer, bufferOff + i, b);
                d = step.nesterov() ? g + b * mu : b;
            }
            set(param, paramOff + i, theta + d * negLr);
        }
    }

    /** Vector API version of {@link #sgd}. */
    public static void sgdSimd(MemorySegment param, long paramOff, MemorySegment buffer, long bufferOff,
                               MemorySegment grad, long gradOff, SgdStep step, int n) {
        boolean decay = step.weightDecay() != 0;
        boolean momentum = step.momentum() != 0;
        float lambda = (float) step.weightDecay();
        float mu = (float) step.momentum();
        float keep = (float) (1 - step.dampening());
        float negLr = (float) -step.lr();
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector theta = load(param, paramOff + i);
            FloatVector g = load(grad, gradOff + i);
            if (decay) {
                g = g.add(theta.mul(lambda));
            }
            FloatVector d = g;
            if (momentum) {
                FloatVector b = step.firstStep() ? g : load(buffer, bufferOff + i).mul(mu).add(g.mul(keep));
                store(buffer, bufferOff + i, b);
                d = step.nesterov() ? g.add(b.mul(mu)) : b;
            }
            store(param, paramOff + i, theta.add(d.mul(negLr)));
        }
        sgdScalar(param, paramOff + bound, buffer, bufferOff + bound, grad, gradOff + bound, step, n - bound);
    }

    // ----------------------------------------------------------------------------- Adam and AdamW

    /**
     * One Adam or AdamW step's factors: β₁, β₂, ε; the L2 weight decay λ added to the gradient (Adam;
     * 0 for none or for AdamW); the factor θ is first multiplied by (AdamW's 1 − γλ; 1 for none or for
     * Adam); AMSGrad; the step size γ/(1 − β₁ᵗ) and √(1 − β₂ᵗ).
     */
    public record AdamStep(double beta1, double beta2, double eps, double weightDecay, double shrink, boolean amsgrad,
                           double stepSize, double biasCorrection2Sqrt) {}

    /**
     * Adam and AdamW (PyTorch's {@code torch.optim.Adam} and {@code AdamW}), per element:
     * <pre>
     *   g ← g + θ·λ                          (if λ ≠ 0: Adam's L2 decay)
     *   θ ← θ·shrink                         (if shrink ≠ 1: AdamW's decoupled decay)
     *   m ← m·β₁ + g·(1 − β₁)
     *   v ← v·β₂ + g·(1 − β₂)·g
     *   s ← v, or with AMSGrad  v̂ ← max(v̂, v);  s ← v̂
     *   θ ← θ + m·(−stepSize) / (√s / √(1 − β₂ᵗ) + ε)
     * </pre>
     * {@code maxExpAvgSq} is v̂, unused (may be null) without AMSGrad.
     */
    public static void adam(MemorySegment param, long paramOff, MemorySegment expAvg, long expAvgOff,
                            MemorySegment expAvgSq, long expAvgSqOff, MemorySegment maxExpAvgSq, long maxOff,
                            MemorySegment grad, long gradOff, AdamStep step, int n) {
        boolean simd = Simd.enabled();
        UnaryKernels.forEachChunk(n, (from, count) -> {
            if (simd) {
                adamSimd(param, paramOff + from, expAvg, expAvgOff + from, expAvgSq, expAvgSqOff + from,
                        maxExpAvgSq, maxOff + from, grad, gradOff + from, step, count);
            } else {
                adamScalar(param, paramOff + from, expAvg, expAvgOff + from, expAvgSq, expAvgSqOff + from,
                        maxExpAvgSq, maxOff + from, grad, gradOff + from, step, count);
            }
        });
    }

    /** Scalar reference of {@link #adam}. */
    public static void adamScalar(MemorySegment param, long paramOff, MemorySegment expAvg, long expAvgOff,
                                  MemorySegment expAvgSq, long expAvgSqOff, MemorySegment maxExpAvgSq, long maxOff,
                                  MemorySegment grad, long gradOff, AdamStep step, int n) {
        boolean decay = step.weightDecay() != 0;
        boolean shrinks = step.shrink() != 1;
        float lambda = (float) step.weightDecay();
        float shrink = (float) step.shrink();
        float beta1 = (float) step.beta1();
        float oneMinusBeta1 = (float) (1 - step.beta1());
        float beta2 = (float) step.beta2();
        float oneMinusBeta2 = (float) (1 - step.beta2());
        float eps = (float) step.eps();
        float negStepSize = (float) -step.stepSize();
        float biasCorrection2Sqrt = (float) step.biasCorrection2Sqrt();
        for (int i = 0; i < n; i++) {
            float theta = get(param, paramOff + i);
            float g = get(grad, gradOff + i);
            if (decay) {
                g = g + theta * lambda;
            }
            if (shrinks) {
                theta = theta * shrink;
            }
            float m = get(expAvg, expAvgOff + i) * beta1 + g * oneMinusBeta1;
            float v = get(expAvgSq, expAvgSqOff + i) * beta2 + g * oneMinusBeta2 * g;
            set(expAvg, expAvgOff + i, m);
            set(expAvgSq, expAvgSqOff + i, v);
            float s = v;
            if (step.amsgrad()) {
                s = Math.max(get(maxExpAvgSq, maxOff + i), v);
                set(maxExpAvgSq, maxOff + i, s);
            }
            float denominator = (float) Math.sqrt(s) / biasCorrection2Sqrt + eps;
            set(param, paramOff + i, theta + m * negStepSize / denominator);
        }
    }

    /** Vector API version of {@link #adam}. */
    public static void adamSimd(MemorySegment param, long paramOff, MemorySegment expAvg, long expAvgOff,
                                MemorySegment expAvgSq, long expAvgSqOff, MemorySegment maxExpAvgSq, long maxOff,
                                MemorySegment grad, long gradOff, AdamStep step, int n) {
        boolean decay = step.weightDecay() != 0;
        boolean shrinks = step.shrink() != 1;
        float lambda = (float) step.weightDecay();
        float shrink = (float) step.shrink();
        float beta1 = (float) step.beta1();
        float oneMinusBeta1 = (float) (1 - step.beta1());
        float beta2 = (float) step.beta2();
        float oneMinusBeta2 = (float) (1 - step.beta2());
        float eps = (float) step.eps();
        float negStepSize = (float) -step.stepSize();
        float biasCorrection2Sqrt = (float) step.biasCorrection2Sqrt();
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector theta = load(param, paramOff + i);
            FloatVector g = load(grad, gradOff + i);
            if (decay) {
                g = g.add(theta.mul(lambda));
            }
            if (shrinks) {
                theta = theta.mul(shrink);
            }
            FloatVector m = load(expAvg, expAvgOff + i).mul(beta1).add(g.mul(oneMinusBeta1));
            FloatVector v = load(expAvgSq, expAvgSqOff + i).mul(beta2).add(g.mul(oneMinusBeta2).mul(g));
            store(expAvg, expAvgOff + i, m);
            store(expAvgSq, expAvgSqOff + i, v);
            FloatVector s = v;
            if (step.amsgrad()) {
                s = load(maxExpAvgSq, maxOff + i).max(v);
                store(maxExpAvgSq, maxOff + i, s);
            }
            FloatVector denominator = s.sqrt().div(biasCorrection2Sqrt).add(eps);
            store(param, paramOff + i, theta.add(m.mul(negStepSize).div(denominator)));
        }
        adamScalar(param, paramOff + bound, expAvg, expAvgOff + bound, expAvgSq, expAvgSqOff + bound,
                maxExpAvgSq, maxOff + bound, grad, gradOff + bound, step, n - bound);
    }

    // ------------------------------------------------------------------------------------ RMSprop

    /** One RMSprop step's factors: γ, smoothing α, ε, L2 weight decay λ, momentum μ (0: none), centered. */
    public record RmspropStep(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {}

    /**
     * RMSprop (PyTorch's {@code torch.optim.RMSprop}), per element:
     * <pre>
     *   g ← g + θ·λ                          (if λ ≠ 0)
     *   v ← v·α + g·(1 − α)·g
     *   a ← √v + ε, or centered  ḡ ← ḡ·α + g·(1 − α);  a ← √(v − ḡ·ḡ) + ε
     *   b ← b·μ + g/a;  θ ← θ + b·(−γ)       (if μ > 0; else θ ← θ + g·(−γ)/a)
     * </pre>
     * {@code gradAvg} (ḡ) may be null when not centered, {@code buffer} (b) when μ = 0.
     */
    public static void rmsprop(MemorySegment param, long paramOff, MemorySegment squareAvg, long squareAvgOff,
                               MemorySegment gradAvg, long gradAvgOff, MemorySegment buffer, long bufferOff,
                               MemorySegment grad, long gradOff, RmspropStep step, int n) {
        boolean simd = Simd.enabled();
        UnaryKernels.forEachChunk(n, (from, count) -> {
            if (simd) {
                rmspropSimd(param, paramOff + from, squareAvg, squareAvgOff + from, gradAvg, gradAvgOff + from,
                        buffer, bufferOff + from, grad, gradOff + from, step, count);
            } else {
                rmspropScalar(param, paramOff + from, squareAvg, squareAvgOff + from, gradAvg, gradAvgOff + from,
                        buffer, bufferOff + from, grad, gradOff + from, step, count);
            }
        });
    }

    /** Scalar reference of {@link #rmsprop}. */
    public static void rmspropScalar(MemorySegment param, long paramOff, MemorySegment squareAvg, long squareAvgOff,
                                     MemorySegment gradAvg, long gradAvgOff, MemorySegment buffer, long bufferOff,
                                     MemorySegment grad, long gradOff, RmspropStep step, int n) {
        boolean decay = step.weightDecay() != 0;
        boolean momentum = step.momentum() > 0;
        float lambda = (float) step.weightDecay();
        float alpha = (float) step.alpha();
        float oneMinusAlpha = (float) (1 - step.alpha());
        float eps = (float) step.eps();
        float mu = (float) step.momentum();
        float negLr = (float) -step.lr();
        for (int i = 0; i < n; i++) {
            float theta = get(param, paramOff + i);
            float g = get(grad, gradOff + i);
            if (decay) {
                g = g + theta * lambda;
            }
            float v = get(squareAvg, squareAvgOff + i) * alpha + g * oneMinusAlpha * g;
            set(squareAvg, squareAvgOff + i, v);
            float spread = v;
            if (step.centered()) {
                float mean = get(gradAvg, gradAvgOff + i) * alpha + g * oneMinusAlpha;
                set(gradAvg, gradAvgOff + i, mean);
                spread = v - mean * mean;
            }
            float a = (float) Math.sqrt(spread) + eps;
            if (momentum) {
                float b = get(buffer, bufferOff + i) * mu + g / a;
                set(buffer, bufferOff + i, b);
                set(param, paramOff + i, theta + b * negLr);
            } else {
                set(param, paramOff + i, theta + g * negLr / a);
            }
        }
    }

    /** Vector API version of {@link #rmsprop}. */
    public static void rmspropSimd(MemorySegment param, long paramOff, MemorySegment squareAvg, long squareAvgOff,
                                   MemorySegment gradAvg, long gradAvgOff, MemorySegment buffer, long bufferOff,
                                   MemorySegment grad, long gradOff, RmspropStep step, int n) {
        boolean decay = step.weightDecay() != 0;
        boolean momentum = step.momentum() > 0;
        float lambda = (float) step.weightDecay();
        float alpha = (float) step.alpha();
        float oneMinusAlpha = (float) (1 - step.alpha());
        float eps = (float) step.eps();
        float mu = (float) step.momentum();
        float negLr = (float) -step.lr();
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector theta = load(param, paramOff + i);
            FloatVector g = load(grad, gradOff + i);
            if (decay) {
                g = g.add(theta.mul(lambda));
            }
            FloatVector v = load(squareAvg, squareAvgOff + i).mul(alpha).add(g.mul(oneMinusAlpha).mul(g));
            store(squareAvg, squareAvgOff + i, v);
            FloatVector spread = v;
            if (step.centered()) {
                FloatVector mean = load(gradAvg, gradAvgOff + i).mul(alpha).add(g.mul(oneMinusAlpha));
                store(gradAvg, gradAvgOff + i, mean);
                spread = v.sub(mean.mul(mean));
            }
            FloatVector a = spread.sqrt().add(eps);
            if (momentum) {
                FloatVector b = load(buffer, bufferOff + i).mul(mu).add(g.div(a));
                store(buffer, bufferOff + i, b);
                store(param, paramOff + i, theta.add(b.mul(negLr)));
            } else {
                store(param, paramOff + i, theta.add(g.mul(negLr).div(a)));
            }
        }
        rmspropScalar(param, paramOff + bound, squareAvg, squareAvgOff + bound, gradAvg, gradAvgOff + bound,
                buffer, bufferOff + bound, grad, gradOff + bound, step, n - bound);
    }

    // ------------------------------------------------------------------------------------ Adagrad

    /** One Adagrad step's factors: the decayed learning rate γₜ = γ / (1 + (t − 1)η), ε, L2 weight decay λ. */
    public record AdagradStep(double lr, double eps, double weightDecay) {}

    /**
     * Adagrad (PyTorch's {@code torch.optim.Adagrad}), per element:
     * <pre>
     *   g ← g + θ·λ                          (if λ ≠ 0)
     *   s ← s + g·g
     *   θ ← θ + g·(−γₜ) / (√s + ε)
     * </pre>
     */
    public static void adagrad(MemorySegment param, long paramOff, MemorySegment sum, long sumOff,
                               MemorySegment grad, long gradOff, AdagradStep step, int n) {
        boolean simd = Simd.enabled();
        UnaryKernels.forEachChunk(n, (from, count) -> {
            if (simd) {
                adagradSimd(param, paramOff + from, sum, sumOff + from, grad, gradOff + from, step, count);
            } else {
                adagradScalar(param, paramOff + from, sum, sumOff + from, grad, gradOff + from, step, count);
            }
        });
    }

    /** Scalar reference of {@link #adagrad}. */
    public static void adagradScalar(MemorySegment param, long paramOff, MemorySegment sum, long sumOff,
                                     MemorySegment grad, long gradOff, AdagradStep step, int n) {
        boolean decay = step.weightDecay() != 0;
        float lambda = (float) step.weightDecay();
        float eps = (float) step.eps();
        float negLr = (float) -step.lr();
        for (int i = 0; i < n; i++) {
            float theta = get(param, paramOff + i);
            float g = get(grad, gradOff + i);
            if (decay) {
                g = g + theta * lambda;
            }
            float s = get(sum, sumOff + i) + g * g;
            set(sum, sumOff + i, s);
            set(param, paramOff + i, theta + g * negLr / ((float) Math.sqrt(s) + eps));
        }
    }

    /** Vector API version of {@link #adagrad}. */
    public static void adagradSimd(MemorySegment param, long paramOff, MemorySegment sum, long sumOff,
                                   MemorySegment grad, long gradOff, AdagradStep step, int n) {
        boolean decay = step.weightDecay() != 0;
        float lambda = (float) step.weightDecay();
        float eps = (float) step.eps();
        float negLr = (float) -step.lr();
        int bound = SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector theta = load(param, paramOff + i);
            FloatVector g = load(grad, gradOff + i);
            if (decay) {
                g = g.add(theta.mul(lambda));
            }
            FloatVector s = load(sum, sumOff + i).add(g.mul(g));
            store(sum, sumOff + i, s);
            store(param, paramOff + i, theta.add(g.mul(negLr).div(s.sqrt().add(eps))));
        }
        adagradScalar(param, paramOff + bound, sum, sumOff + bound, grad, gradOff + bound, step, n - bound);
    }

    // ------------------------------------------------------------------------------------ helpers

    private static float get(MemorySegment s, long index) {
        return s.getAtIndex(JAVA_FLOAT, index);
    }

    private static void set(MemorySegment s, long index, float value) {
        s.setAtIndex(JAVA_FLOAT, index, value);
    }

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(SPECIES, s, index * Float.BYTES, ORDER);
    }

    private static void store(MemorySegment s, long index, FloatVector v) {
        v.intoMemorySegment(s, index * Float.BYTES, ORDER);
    }
}
