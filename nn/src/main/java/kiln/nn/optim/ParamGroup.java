package kiln.nn.optim;

import java.util.List;
import java.util.Objects;

import kiln.nn.Parameter;

/**
 * Parameters that share a learning rate, a weight decay and a momentum: PyTorch's
 * {@code param_groups} entry. Typical use: no weight decay on biases, or a smaller learning rate for
 * a pretrained backbone.
 *
 * <pre>{@code
 * var optimizer = new SGD(SGD.options().lr(0.1).momentum(0.9),
 *         new ParamGroup(List.of(weight)).setWeightDecay(0.01),
 *         new ParamGroup(List.of(bias)).setLr(0.01));
 * }</pre>
 *
 * A value the group does not set is taken from the optimizer's options when the optimizer is built.
 * Schedulers change {@link #setLr} (and {@link #setMomentum}) as training goes.
 *
 * <p>The <em>momentum</em> is the coefficient of the running average of gradients that a one-cycle
 * schedule cycles: SGD's and RMSprop's momentum, and β₁ for Adam and AdamW (as PyTorch's OneCycleLR
 * treats {@code betas[0]}). Adagrad has none.
 */
public final class ParamGroup {
    private final List<Parameter> params;
    private Double lr;            // null: not set yet, the optimizer's options fill it in
    private Double weightDecay;
    private Double momentum;      // stays null for optimizers without one
    private String owner;         // the name of the optimizer the group joined

    public ParamGroup(List<Parameter> params) {
        Objects.requireNonNull(params, "ParamGroup: params is null");
        if (params.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("ParamGroup: params contains null");
        }
        this.params = List.copyOf(params);
    }

    /**
     * Throws if the group cannot join {@code optimizer}: it belongs to another one already, or sets
     * a momentum the optimizer does not have ({@code defaultMomentum} null).
     */
    void checkCanJoin(String optimizer, Double defaultMomentum) {
        if (owner != null) {
            throw new IllegalArgumentException(optimizer + ": this parameter group already belongs to another optimizer, " + owner);
        }
        if (momentum != null && defaultMomentum == null) {
            throw new IllegalArgumentException(optimizer + ": a parameter group sets momentum " + momentum + ", but " + optimizer + " has none");
        }
    }

    /** Fills in what the group does not set and ties it to its optimizer, whose name its messages use from then on. */
    void join(String optimizer, double defaultLr, double defaultWeightDecay, Double defaultMomentum) {
        checkCanJoin(optimizer, defaultMomentum);
        owner = optimizer;
        lr = lr != null ? lr : defaultLr;
        weightDecay = weightDecay != null ? weightDecay : defaultWeightDecay;
        momentum = momentum != null ? momentum : defaultMomentum;
    }

    /** The parameters, in the order given. */
    public List<Parameter> params() { return params; }

    public double lr() { return valueOf(lr, "lr"); }

    /** Sets the learning rate (≥ 0); returns this. */
    public ParamGroup setLr(double lr) {
        this.lr = Check.nonNegative(label(), "lr", lr);
        return this;
    }

    public double weightDecay() { return valueOf(weightDecay, "weightDecay"); }

    /** Sets the weight decay (≥ 0); returns this. */
    public ParamGroup setWeightDecay(double weightDecay) {
        this.weightDecay = Check.nonNegative(label(), "weightDecay", weightDecay);
        return this;
    }

    /** Whether the group's optimizer has a momentum coefficient (see the class comment). */
    public boolean hasMomentum() { return momentum != null; }

    /** The momentum (β₁ for Adam and AdamW); throws for an optimizer without one. */
    public double momentum() {
        if (momentum == null) {
            throw new IllegalStateException(label() + " has no momentum");
        }
        return momentum;
    }

    /** Sets the momentum, in [0, 1); returns this. */
    public ParamGroup setMomentum(double momentum) {
        if (owner != null && this.momentum == null) {
            throw new IllegalStateException(owner + " has no momentum");
        }
        this.momentum = Check.unitInterval(label(), "momentum", momentum);
        return this;
    }

    private String label() { return owner != null ? owner : "ParamGroup"; }

    private static double valueOf(Double value, String name) {
        if (value == null) {
            throw new IllegalStateException("ParamGroup: " + name + " is not set; the optimizer the group joins fills it in");
        }
        return value;
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, lr=" + lr + ", weightDecay=" + weightDecay
                + (momentum != null ? ", momentum=" + momentum : "") + ")";
    }
}
