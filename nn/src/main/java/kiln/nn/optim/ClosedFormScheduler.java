package kiln.nn.optim;

import java.util.Objects;

/**
 * A schedule whose learning rate at step t is a formula of t and of each group's learning rate when
 * the scheduler was made (its initial lr). Made at t = 0, it sets the lr for the first step.
 *
 * <p>PyTorch computes most schedules recursively, the new lr from the previous one (ExponentialLR
 * multiplies by γ each step); here every lr comes from its closed form, PyTorch's
 * {@code _get_closed_form_lr}. The two are equal in exact arithmetic and differ in float64 by a few
 * rounding errors per step. One consequence: an lr set by hand is overwritten at the next step
 * rather than built upon, and two schedulers on one optimizer do not chain.
 */
public abstract class ClosedFormScheduler implements LrScheduler {
    /** The lr at step {@code t} of a group whose initial lr was {@code initialLr}. */
    @FunctionalInterface
    protected interface Formula {
        double lr(double initialLr, int t);
    }

    private final Optimizer optimizer;
    private final Formula formula;
    private final double[] initialLrs;
    private int t;

    protected ClosedFormScheduler(Optimizer optimizer, Formula formula) {
        this.optimizer = Objects.requireNonNull(optimizer, "scheduler: optimizer is null");
        this.formula = formula;
        this.initialLrs = optimizer.groups().stream().mapToDouble(ParamGroup::lr).toArray();
        apply();
    }

    @Override
    public void step() {
        t++;
        apply();
    }

    @Override
    public double lr() { return optimizer.lr(); }

    /** Steps taken so far (PyTorch's {@code last_epoch}). */
    public int stepCount() { return t; }

    private void apply() {
        for (int i = 0; i < initialLrs.length; i++) {
            optimizer.group(i).setLr(formula.lr(initialLrs[i], t));
        }
    }
}
