package kiln.nn.optim;

import java.util.Objects;

/**
 * Cuts the learning rate when a metric stops improving, as PyTorch's {@code ReduceLROnPlateau}.
 * Call {@link #step(double)} with the metric (typically the validation loss) after each epoch:
 *
 * <pre>
 * better(a) = a &lt; best·(1 − threshold)   (mode MIN, threshold REL; MAX: a &gt; best·(1 + threshold);
 *                                          ABS: a &lt; best − threshold, a &gt; best + threshold)
 * step(a):  if better(a): best ← a, bad ← 0  else bad ← bad + 1
 *           if in cooldown: cooldown ← cooldown − 1, bad ← 0
 *           if bad &gt; patience:
 *               for each group: new ← max(lr·factor, minLr); if lr − new &gt; eps: lr ← new
 *               cooldown ← cooldown steps, bad ← 0
 * </pre>
 *
 * {@code best} starts at +∞ (MIN) or −∞ (MAX). A NaN metric is never better, so it counts as a bad
 * epoch. Not an {@link LrScheduler}: it steps on a metric, not on a count.
 */
public final class ReduceLROnPlateau {
    /** Whether a smaller (loss) or larger (accuracy) metric is better. */
    public enum Mode { MIN, MAX }

    /** Whether an improvement must beat best by a fraction of it (REL) or by an amount (ABS). */
    public enum ThresholdMode { REL, ABS }

    /** ReduceLROnPlateau's settings; {@link ReduceLROnPlateau#options()} gives the defaults, each wither changes one. */
    public record Options(Mode mode, double factor, int patience, double threshold, ThresholdMode thresholdMode,
                          int cooldown, double minLr, double eps) {
        public Options mode(Mode v) { return new Options(v, factor, patience, threshold, thresholdMode, cooldown, minLr, eps); }
        public Options factor(double v) { return new Options(mode, v, patience, threshold, thresholdMode, cooldown, minLr, eps); }
        public Options patience(int v) { return new Options(mode, factor, v, threshold, thresholdMode, cooldown, minLr, eps); }
        public Options threshold(double v) { return new Options(mode, factor, patience, v, thresholdMode, cooldown, minLr, eps); }
        public Options thresholdMode(ThresholdMode v) { return new Options(mode, factor, patience, threshold, v, cooldown, minLr, eps); }
        public Options cooldown(int v) { return new Options(mode, factor, patience, threshold, thresholdMode, v, minLr, eps); }
        public Options minLr(double v) { return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, v, eps); }
        public Options eps(double v) { return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, v); }
    }

    /** PyTorch's defaults: MIN, factor 0.1, patience 10, threshold 1e-4 REL, no cooldown, minLr 0, eps 1e-8. */
    public static Options options() { return new Options(Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8); }

    private final Optimizer optimizer;
    private final Options options;
    private double best;
    private int badEpochs;
    private int cooldownLeft;

    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, options());
    }

    public ReduceLROnPlateau(Optimizer optimizer, Options options) {
        this.optimizer = Objects.requireNonNull(optimizer, "ReduceLROnPlateau: optimizer is null");
        Objects.requireNonNull(options.mode(), "ReduceLROnPlateau: mode is null");
        Objects.requireNonNull(options.thresholdMode(), "ReduceLROnPlateau: thresholdMode is null");
        Check.require(options.factor() > 0 && options.factor() < 1, "ReduceLROnPlateau", "factor", "in (0, 1)", options.factor());
        Check.nonNegative("ReduceLROnPlateau", "patience", options.patience());
        Check.nonNegative("ReduceLROnPlateau", "threshold", options.threshold());
        Check.nonNegative("ReduceLROnPlateau", "cooldown", options.cooldown());
        Check.nonNegative("ReduceLROnPlateau", "minLr", options.minLr());
        Check.nonNegative("ReduceLROnPlateau", "eps", options.eps());
        this.options = options;
        this.best = options.mode() == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Records the metric of the epoch just finished, cutting the learning rate if it has stopped improving. */
    public void step(double metric) {
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;      // bad epochs during the cooldown do not count
        }
        if (badEpochs > options.patience()) {
            for (ParamGroup group : optimizer.groups()) {
                double reduced = Math.max(group.lr() * options.factor(), options.minLr());
                if (group.lr() - reduced > options.eps()) {
                    group.setLr(reduced);
                }
            }
            cooldownLeft = options.cooldown();
            badEpochs = 0;
        }
    }

    private boolean isBetter(double metric) {
        double threshold = options.threshold();
        return switch (options.mode()) {
            case MIN -> metric < (options.thresholdMode() == ThresholdMode.REL ? best * (1 - threshold) : best - threshold);
            case MAX -> metric > (options.thresholdMode() == ThresholdMode.REL ? best * (threshold + 1) : best + threshold);
        };
    }

    /** The learning rate now in use (of the optimizer's first group). */
    public double lr() { return optimizer.lr(); }

    /** The best metric so far (±∞ before the first step). */
    public double best() { return best; }

    /** Epochs since the last improvement, as counted towards the patience. */
    public int badEpochs() { return badEpochs; }
}
