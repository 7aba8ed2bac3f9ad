package kiln.nn.layers;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.Module;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 − p), so that the expected value is unchanged and evaluation is the identity:
 *
 * <pre>  training: y = x · m / (1 − p),  m ~ Bernoulli(1 − p) elementwise;   evaluation: y = x</pre>
 *
 * The masks come from the Generator given to the constructor, so a run is reproducible by seed.
 */
public final class Dropout extends Module {
    private final double p;
    private final Generator rng;

    public Dropout(double p, Generator rng) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        }
        if (rng == null) {
            throw new IllegalArgumentException("Dropout: the generator is null");
        }
        this.p = p;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        // u ~ U[0, 1) is below p with probability p: those elements are dropped.
        Tensor keep = Tensor.rand(rng, x.dims()).ge(p).to(x.dtype());
        return x.mul(keep.mul(1 / (1 - p)));
    }

    public double p() { return p; }

    @Override
    protected String describe() {
        return "Dropout(p=" + p + ")";
    }
}
