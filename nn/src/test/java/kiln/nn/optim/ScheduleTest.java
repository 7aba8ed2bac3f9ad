package kiln.nn.optim;

import static kiln.nn.optim.OptimizerTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import kiln.engine.Tensor;
import kiln.nn.Golden;
import kiln.nn.Parameter;

/**
 * Schedules beyond the golden files: other options (values from PyTorch 1.13, quoted with the call
 * that made them), several groups, and argument checks.
 */
class ScheduleTest {
    /** float64 closed forms against PyTorch's values; see ScheduleGoldenTest. */
    private static final double RTOL = 1e-9;

    private final Parameter p = new Parameter(Tensor.zeros(1));
    private final Parameter q = new Parameter(Tensor.zeros(1));

    @AfterEach
    void release() {
        p.value().close();
        q.value().close();
    }

    private static void assertRelative(double want, double got, String what) {
        assertEquals(want, got, RTOL * Math.abs(want), what);
    }

    @Test
    void oneCycleCyclesAdamsBeta1AsItCyclesSgdsMomentum() {
        Golden golden = Golden.load("/golden/schedules/onecycle.txt");
        try (Adam adam = new Adam(List.of(p), 0.1)) {
            OneCycleLR schedule = new OneCycleLR(adam, 0.5, 30);
            for (int k = 0; k < 30; k++) {
                assertRelative(golden.value("lr." + k), adam.lr(), "lr." + k);
                assertRelative(golden.value("momentum." + k), adam.group(0).momentum(), "beta1." + k);
                schedule.step();
            }
            assertEquals(0.5 / 25 / 1e4, adam.lr(), 1e-20, "after the last step: the final lr");
            assertThrows(IllegalStateException.class, schedule::step);
        }
    }

    @Test
    void oneCycleThreePhasesLinear() {
        // OneCycleLR(SGD(lr=0.1, momentum=0.9), max_lr=1.0, total_steps=10, pct_start=0.25, anneal_strategy='linear',
        //            three_phase=True, base_momentum=0.8, max_momentum=0.9): lr and momentum of steps 0..9
        double[] lrs = {0.04, 0.6799999999999999, 0.68, 0.040000000000000036, 0.033334, 0.026668, 0.020002, 0.013336,
                        0.006669999999999995, 3.9999999999970615e-06};
        double[] momenta = {0.9, 0.8333333333333334, 0.8333333333333334, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};
        try (SGD sgd = new SGD(List.of(p), SGD.options().lr(0.1).momentum(0.9))) {
            OneCycleLR schedule = new OneCycleLR(sgd, 1.0, 10, OneCycleLR.options().pctStart(0.25)
                    .anneal(OneCycleLR.Anneal.LINEAR).threePhase(true).baseMomentum(0.8).maxMomentum(0.9));
            for (int k = 0; k < 10; k++) {
                assertRelative(lrs[k], sgd.lr(), "lr." + k);
                assertRelative(momenta[k], sgd.group(0).momentum(), "momentum." + k);
                schedule.step();
            }
            // PyTorch extrapolates to −0.006662 here, an lr no step uses; we stop at the final lr.
            assertRelative(0.04 / 1e4, sgd.lr(), "lr after the last step");
        }
    }

    @Test
    void plateauInMaxModeWithAbsoluteThresholdCooldownAndMinLr() {
        // ReduceLROnPlateau(SGD(lr=0.1), mode='max', factor=0.1, patience=1, threshold=0.01, threshold_mode='abs',
        //                   cooldown=2, min_lr=0.0005) stepped with these metrics: the lr in use before each step
        double[] metrics = {0.5, 0.6, 0.6, 0.605, 0.62, 0.61, 0.61, 0.61, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7};
        double[] lrs = {0.1, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.010000000000000002,
                        0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002, 0.0010000000000000002,
                        0.0010000000000000002, 0.0005, 0.0005, 0.0005, 0.0005};
        try (SGD sgd = new SGD(List.of(p), 0.1)) {
            ReduceLROnPlateau plateau = new ReduceLROnPlateau(sgd, ReduceLROnPlateau.options().mode(ReduceLROnPlateau.Mode.MAX)
                    .factor(0.1).patience(1).threshold(0.01).thresholdMode(ReduceLROnPlateau.ThresholdMode.ABS).cooldown(2).minLr(0.0005));
            for (int k = 0; k < metrics.length; k++) {
                assertRelative(lrs[k], plateau.lr(), "lr." + k);
                plateau.step(metrics[k]);
            }
            assertRelative(lrs[metrics.length], plateau.lr(), "last lr");
            assertEquals(0.7, plateau.best());
        }
    }

    @Test
    void aNanMetricIsABadEpoch() {
        try (SGD sgd = new SGD(List.of(p), 0.1)) {
            ReduceLROnPlateau plateau = new ReduceLROnPlateau(sgd, ReduceLROnPlateau.options().patience(0));
            plateau.step(1.0);
            plateau.step(Double.NaN);
            assertRelative(0.01, sgd.lr(), "cut after one bad epoch");
            assertEquals(1.0, plateau.best());
        }
    }

    @Test
    void eachGroupIsScheduledFromItsOwnInitialLr() {
        try (SGD sgd = new SGD(SGD.options(), new ParamGroup(List.of(p)).setLr(0.1), new ParamGroup(List.of(q)).setLr(0.01))) {
            WarmupCosineLR schedule = new WarmupCosineLR(sgd, 0.5, 2, 4, 0);
            double[] factors = {0.5, 0.75, 1, 0.5, 0};
            for (int t = 0; t <= 4; t++) {
                assertEquals(0.1 * factors[t], sgd.group(0).lr(), 1e-15, "group 0 at " + t);
                assertEquals(0.01 * factors[t], sgd.group(1).lr(), 1e-16, "group 1 at " + t);
                schedule.step();
            }
        }
    }

    @Test
    void aRepeatedMilestoneCountsTwice() {
        try (SGD sgd = new SGD(List.of(p), 1.0)) {
            MultiStepLR schedule = new MultiStepLR(sgd, new int[] {2, 2, 3}, 0.5);
            double[] lrs = {1, 1, 0.25, 0.125, 0.125};
            for (double lr : lrs) {
                assertEquals(lr, sgd.lr(), 0);
                schedule.step();
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        try (SGD sgd = new SGD(List.of(p), 0.1); Adagrad adagrad = new Adagrad(List.of(q), 0.1)) {
            assertMessage("StepLR: stepSize must be > 0, got 0", () -> new StepLR(sgd, 0, 0.5));
            assertMessage("StepLR: gamma must be > 0, got -0.5", () -> new StepLR(sgd, 3, -0.5));
            assertMessage("MultiStepLR: milestones must be in non-decreasing order, got [5, 3]", () -> new MultiStepLR(sgd, new int[] {5, 3}, 0.1));
            assertMessage("MultiStepLR: milestones[0] must be > 0, got 0", () -> new MultiStepLR(sgd, new int[] {0}, 0.1));
            assertMessage("ExponentialLR: gamma must be > 0, got NaN", () -> new ExponentialLR(sgd, Double.NaN));
            assertMessage("CosineAnnealingLR: tMax must be > 0, got 0", () -> new CosineAnnealingLR(sgd, 0, 0));
            assertMessage("CosineAnnealingLR: etaMin must be >= 0, got -0.1", () -> new CosineAnnealingLR(sgd, 10, -0.1));
            assertMessage("WarmupCosineLR: totalSteps must be > warmupSteps (5), got 5", () -> new WarmupCosineLR(sgd, 0.1, 5, 5, 0));
            assertMessage("WarmupCosineLR: startFactor must be in [0, 1], got 1.5", () -> new WarmupCosineLR(sgd, 1.5, 5, 50, 0));
            assertMessage("OneCycleLR: totalSteps must be > 0, got 0", () -> new OneCycleLR(sgd, 0.5, 0));
            assertMessage("OneCycleLR: pctStart must be such that every phase has a positive length (pctStart · totalSteps = 1.0), got 0.1",
                    () -> new OneCycleLR(sgd, 0.5, 10, OneCycleLR.options().pctStart(0.1)));
            assertMessage("OneCycleLR: cycleMomentum needs an optimizer with a momentum (SGD, RMSprop) or β₁ (Adam, AdamW); Adagrad has none",
                    () -> new OneCycleLR(adagrad, 0.5, 10));
            new OneCycleLR(adagrad, 0.5, 10, OneCycleLR.options().cycleMomentum(false));
            assertMessage("ReduceLROnPlateau: factor must be in (0, 1), got 1.0",
                    () -> new ReduceLROnPlateau(sgd, ReduceLROnPlateau.options().factor(1)));
            assertMessage("ReduceLROnPlateau: patience must be >= 0, got -1",
                    () -> new ReduceLROnPlateau(sgd, ReduceLROnPlateau.options().patience(-1)));
        }
    }
}
