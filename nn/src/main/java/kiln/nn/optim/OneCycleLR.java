package kiln.nn.optim;

import java.util.List;
import java.util.Objects;

/**
 * The one-cycle policy (Smith and Topin, 2018), as PyTorch's {@code OneCycleLR}: the learning rate
 * of every group climbs from maxLr/divFactor to maxLr over the first pctStart of the steps, then
 * anneals to maxLr/(divFactor·finalDivFactor); the momentum moves the opposite way, maxMomentum →
 * baseMomentum → maxMomentum. The momentum is each group's {@link ParamGroup#momentum()}: SGD's or
 * RMSprop's momentum, Adam's and AdamW's β₁. The optimizer's own lr is not used.
 *
 * <pre>
 * phases (end step, lr from → to, momentum from → to), T = totalSteps, p = pctStart:
 *   two-phase:   (pT − 1, initial → max, maxM → baseM), (T − 1, max → min, baseM → maxM)
 *   three-phase: (pT − 1, initial → max, maxM → baseM), (2pT − 2, max → initial, baseM → maxM),
 *                (T − 1, initial → min, maxM → maxM)
 * at step t, in the first phase whose end ≥ t (else the last), starting where the previous ended:
 *   f = (t − start) / (end − start)
 *   cos:    value = to + (from − to)/2 · (cos(πf) + 1)
 *   linear: value = (to − from) · f + from
 * </pre>
 *
 * Made at t = 0, it sets the first step's lr and momentum; {@link #step()} may be called
 * {@code totalSteps} times at most (once after each optimizer step). The last call sets values no
 * step uses: where PyTorch extrapolates the last phase there, we keep its end values.
 */
public final class OneCycleLR implements LrScheduler {
    /** How each phase moves from its start value to its end value. */
    public enum Anneal { COS, LINEAR }

    /** OneCycleLR's settings; {@link OneCycleLR#options()} gives the defaults, each wither changes one. */
    public record Options(double pctStart, Anneal anneal, boolean cycleMomentum, double baseMomentum, double maxMomentum,
                          double divFactor, double finalDivFactor, boolean threePhase) {
        public Options pctStart(double v) {
            return new Options(v, anneal, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase);
        }
        public Options anneal(Anneal v) {
            return new Options(pctStart, v, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase);
        }
        public Options cycleMomentum(boolean v) {
            return new Options(pctStart, anneal, v, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase);
        }
        public Options baseMomentum(double v) {
            return new Options(pctStart, anneal, cycleMomentum, v, maxMomentum, divFactor, finalDivFactor, threePhase);
        }
        public Options maxMomentum(double v) {
            return new Options(pctStart, anneal, cycleMomentum, baseMomentum, v, divFactor, finalDivFactor, threePhase);
        }
        public Options divFactor(double v) {
            return new Options(pctStart, anneal, cycleMomentum, baseMomentum, maxMomentum, v, finalDivFactor, threePhase);
        }
        public Options finalDivFactor(double v) {
            return new Options(pctStart, anneal, cycleMomentum, baseMomentum, maxMomentum, divFactor, v, threePhase);
        }
        public Options threePhase(boolean v) {
            return new Options(pctStart, anneal, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, v);
        }
    }

    /** PyTorch's defaults: pctStart 0.3, cos, momentum cycled 0.95 → 0.85 → 0.95, divFactor 25, finalDivFactor 1e4, two phases. */
    public static Options options() { return new Options(0.3, Anneal.COS, true, 0.85, 0.95, 25, 1e4, false); }

    /** One phase: where it ends, and the lr and momentum it moves between. */
    private record Phase(double endStep, double startLr, double endLr, double startMomentum, double endMomentum) {}

    private final Optimizer optimizer;
    private final int totalSteps;
    private final Options options;
    private final List<Phase> phases;
    private int t;

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, options());
    }

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, Options options) {
        this.optimizer = Objects.requireNonNull(optimizer, "OneCycleLR: optimizer is null");
        Check.positive("OneCycleLR", "maxLr", maxLr);
        Check.positive("OneCycleLR", "totalSteps", totalSteps);
        Check.require(options.pctStart() >= 0 && options.pctStart() <= 1, "OneCycleLR", "pctStart", "in [0, 1]", options.pctStart());
        Check.positive("OneCycleLR", "divFactor", options.divFactor());
        Check.positive("OneCycleLR", "finalDivFactor", options.finalDivFactor());
        Objects.requireNonNull(options.anneal(), "OneCycleLR: anneal is null");
        if (options.cycleMomentum()) {
            Check.unitInterval("OneCycleLR", "baseMomentum", options.baseMomentum());
            Check.unitInterval("OneCycleLR", "maxMomentum", options.maxMomentum());
            if (!optimizer.group(0).hasMomentum()) {
                throw new IllegalArgumentException("OneCycleLR: cycleMomentum needs an optimizer with a momentum (SGD, RMSprop)"
                        + " or β₁ (Adam, AdamW); " + optimizer.name() + " has none: use options().cycleMomentum(false)");
            }
        }
        this.totalSteps = totalSteps;
        this.options = options;
        double initialLr = maxLr / options.divFactor();
        double minLr = initialLr / options.finalDivFactor();
        double rise = options.pctStart() * totalSteps;
        double high = options.maxMomentum();
        double low = options.baseMomentum();
        this.phases = options.threePhase()
                ? List.of(new Phase(rise - 1, initialLr, maxLr, high, low),
                          new Phase(2 * rise - 2, maxLr, initialLr, low, high),
                          new Phase(totalSteps - 1, initialLr, minLr, high, high))
                : List.of(new Phase(rise - 1, initialLr, maxLr, high, low),
                          new Phase(totalSteps - 1, maxLr, minLr, low, high));
        double previousEnd = 0;
        for (Phase phase : phases) {    // a phase of length 0 would divide by zero
            Check.require(phase.endStep() > previousEnd, "OneCycleLR", "pctStart",
                    "such that every phase has a positive length (pctStart · totalSteps = " + rise + ")", options.pctStart());
            previousEnd = phase.endStep();
        }
        apply();
    }

    @Override
    public void step() {
        if (t == totalSteps) {
            throw new IllegalStateException("OneCycleLR: step() was called totalSteps = " + totalSteps + " times already");
        }
        t++;
        apply();
    }

    @Override
    public double lr() { return optimizer.lr(); }

    /** Steps taken so far. */
    public int stepCount() { return t; }

    private void apply() {
        double start = 0;
        for (int i = 0; i < phases.size(); i++) {
            Phase phase = phases.get(i);
            if (t <= phase.endStep() || i == phases.size() - 1) {
                // Past the end (t = totalSteps, an lr no step uses) PyTorch extrapolates, which a
                // linear anneal can take below zero; we stay at the end value.
                double fraction = Math.min(1, (t - start) / (phase.endStep() - start));
                for (ParamGroup group : optimizer.groups()) {
                    group.setLr(anneal(phase.startLr(), phase.endLr(), fraction));
                    if (options.cycleMomentum()) {
                        group.setMomentum(anneal(phase.startMomentum(), phase.endMomentum(), fraction));
                    }
                }
                return;
            }
            start = phase.endStep();
        }
    }

    private double anneal(double from, double to, double fraction) {
        return switch (options.anneal()) {
            case COS -> to + (from - to) / 2.0 * (Math.cos(Math.PI * fraction) + 1);
            case LINEAR -> (to - from) * fraction + from;
        };
    }
}
