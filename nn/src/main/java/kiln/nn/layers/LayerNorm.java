package kiln.nn.layers;

import java.util.Arrays;

import kiln.engine.Tensor;
import kiln.nn.Module;
import kiln.nn.Parameter;

/**
 * Normalises each sample over its last axes (the {@code normalizedShape}), as PyTorch's LayerNorm:
 *
 * <pre>  y = (x − E[x]) / √(Var[x] + ε) · γ + β</pre>
 *
 * with the mean and the biased variance (dividing by n) taken over the normalised axes, and γ
 * ({@code weight}, ones) and β ({@code bias}, zeros) of the normalised shape when
 * {@code elementwiseAffine}. The same in training and evaluation.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /** LayerNorm over the last axis of size {@code size}, eps 1e-5, with γ and β. */
    public LayerNorm(int size) {
        this(new int[] {size}, 1e-5, true);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape == null || normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape must be non-empty with positive sizes, got "
                    + Arrays.toString(normalizedShape));
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: eps must be > 0, got " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length;
        int[] dims = x.dims();
        if (dims.length < k || !Arrays.equals(Arrays.copyOfRange(dims, dims.length - k, dims.length), normalizedShape)) {
            throw new IllegalArgumentException(describe() + ": input " + x.describe() + " must end with the axes "
                    + Arrays.toString(normalizedShape));
        }
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            axes[i] = dims.length - k + i;
        }
        Tensor centered = x.sub(x.mean(axes, true));
        Tensor normalized = centered.mul(x.var(axes, true, 0).add(eps).rsqrt());
        return weight == null ? normalized : normalized.mul(weight.value()).add(bias.value());
    }

    /** The shape of the trailing axes normalised over (a copy). */
    public int[] normalizedShape() { return normalizedShape.clone(); }

    public double eps() { return eps; }

    /** γ, or null without elementwise affine. */
    public Parameter weight() { return weight; }

    /** β, or null without elementwise affine. */
    public Parameter bias() { return bias; }

    @Override
    protected String describe() {
        return "LayerNorm(" + Arrays.toString(normalizedShape) + ", eps=" + eps + ", affine=" + (weight != null) + ")";
    }
}
