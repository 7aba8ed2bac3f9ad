package kiln.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Parameter;

/** What every optimizer does beyond its formula: skipping, lazy state, groups, learning rates, argument checks. */
class OptimizerTest {
    private final Parameter w = new Parameter(Tensor.fromArray(new float[] {1, -2, 3}, 3));
    private final Parameter v = new Parameter(Tensor.fromArray(new float[] {0.5f, 0.25f}, 2));

    @AfterEach
    void release() {
        w.value().close();
        v.value().close();
    }

    /** Gives both parameters a gradient: d/dθ of sum(θ²) = 2θ. */
    private void backward(Parameter... params) {
        try (MemoryScope step = MemoryScope.open()) {
            for (Parameter p : params) {
                p.value().mul(p.value()).sum().backward();
            }
        }
    }

    @Test
    void aFrozenParameterIsNotUpdatedEvenWithAStaleGradient() {
        try (Adam adam = new Adam(List.of(w, v), 0.1)) {
            backward(w, v);
            w.setFrozen(true);
            adam.step();
            assertArrayEquals(new float[] {1, -2, 3}, w.value().toFloatArray());
            assertNull(adam.stateOf(w), "no state for a frozen parameter");
            assertFalse(v.value().toFloatArray()[0] == 0.5f, "the other parameter moved");
        }
    }

    @Test
    void aParameterWithoutGradientIsSkippedAndItsStepCountWaits() {
        try (Adam adam = new Adam(List.of(w, v), 0.1)) {
            backward(w);
            adam.step();
            adam.step();
            assertNull(v.grad());
            assertArrayEquals(new float[] {0.5f, 0.25f}, v.value().toFloatArray());
            assertNull(adam.stateOf(v));
            assertEquals(2, adam.stateOf(w).step());

            backward(v);
            adam.step();
            assertEquals(1, adam.stateOf(v).step(), "v's first update, whatever the optimizer's count");
            assertEquals(3, adam.stepCount());
            // Adam's first step moves each element by lr (m/√v = sign g after bias correction).
            assertArrayEquals(new float[] {0.4f, 0.15f}, v.value().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void stateIsMadeOnTheFirstUpdateAndOutlivesTheStepsScope() {
        try (Adam adam = new Adam(List.of(w), Adam.options().amsgrad(true)); SGD plain = new SGD(List.of(v), 0.1)) {
            assertNull(adam.stateOf(w));
            try (MemoryScope outer = MemoryScope.open()) {
                backward(w, v);
                adam.step();
                plain.step();
            }
            ParamState state = adam.stateOf(w);
            assertEquals(Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), state.tensors().keySet());
            state.tensors().values().forEach(t -> assertFalse(t.isClosed(), "state survives the scope it was made in"));
            assertTrue(plain.stateOf(v).tensors().isEmpty(), "SGD without momentum keeps no buffer");
        }
    }

    @Test
    void sgdMomentumBufferStartsAsTheGradient() {
        try (SGD sgd = new SGD(List.of(w), SGD.options().lr(0.1).momentum(0.9).dampening(0.5))) {
            backward(w);
            sgd.step();
            assertArrayEquals(new float[] {2, -4, 6}, sgd.stateOf(w).get("momentum_buffer").toFloatArray());
        }
    }

    @Test
    void closingReleasesTheState() {
        Adam adam = new Adam(List.of(w), 0.1);
        backward(w);
        adam.step();
        Tensor m = adam.stateOf(w).get("exp_avg");
        adam.close();
        assertTrue(m.isClosed());
        assertNull(adam.stateOf(w));
        assertFalse(w.value().isClosed(), "the parameter belongs to its module, not to the optimizer");
    }

    @Test
    void zeroGradZeroesEveryGradientInPlace() {
        try (SGD sgd = new SGD(List.of(w, v), 0.1)) {
            backward(w, v);
            Tensor g = w.grad();
            sgd.zeroGrad();
            assertTrue(g == w.grad(), "same memory, as PyTorch 1.13's zero_grad()");
            assertArrayEquals(new float[] {0, 0, 0}, w.grad().toFloatArray());
            assertArrayEquals(new float[] {0, 0}, v.grad().toFloatArray());
        }
    }

    @Test
    void groupsTakeUnsetValuesFromTheOptionsAndLearningRatesCanBeSetPerGroupOrForAll() {
        try (SGD sgd = new SGD(SGD.options().lr(0.1).momentum(0.9).weightDecay(0.01),
                new ParamGroup(List.of(w)).setLr(0.5), new ParamGroup(List.of(v)).setWeightDecay(0))) {
            assertEquals(0.5, sgd.group(0).lr());
            assertEquals(0.01, sgd.group(0).weightDecay());
            assertEquals(0.1, sgd.group(1).lr());
            assertEquals(0.0, sgd.group(1).weightDecay());
            assertEquals(0.9, sgd.group(1).momentum());
            assertEquals(0.5, sgd.lr(), "lr() is the first group's");
            sgd.setLr(0.02);
            assertEquals(0.02, sgd.group(0).lr());
            assertEquals(0.02, sgd.group(1).lr());
            assertEquals(List.of(w, v), sgd.params());
        }
    }

    @Test
    void eachGroupUpdatesWithItsOwnLearningRate() {
        try (SGD sgd = new SGD(SGD.options(), new ParamGroup(List.of(w)).setLr(0.1), new ParamGroup(List.of(v)).setLr(0))) {
            backward(w, v);
            sgd.step();
            assertArrayEquals(new float[] {0.8f, -1.6f, 2.4f}, w.value().toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {0.5f, 0.25f}, v.value().toFloatArray(), "lr 0 leaves v alone");
        }
    }

    @Test
    void adamsBeta1IsTheGroupsMomentumAndAdagradHasNone() {
        try (Adam adam = new Adam(List.of(w), Adam.options().beta1(0.8)); Adagrad adagrad = new Adagrad(List.of(v), 0.1)) {
            assertEquals(0.8, adam.group(0).momentum());
            assertFalse(adagrad.group(0).hasMomentum());
            assertMessage("Adagrad has no momentum", () -> adagrad.group(0).momentum());
            assertMessage("Adagrad has no momentum", () -> adagrad.group(0).setMomentum(0.5));
        }
    }

    // ---------------------------------------------------------------- argument checks

    @Test
    void badHyperparametersAreRefusedNamingTheOptimizerTheArgumentAndTheValue() {
        List<Parameter> p = List.of(w);
        assertMessage("SGD: lr must be >= 0, got -1.0", () -> new SGD(p, -1));
        assertMessage("SGD: momentum must be in [0, 1), got -0.5", () -> new SGD(p, SGD.options().momentum(-0.5)));
        assertMessage("SGD: dampening must be in [0, 1], got 2.0", () -> new SGD(p, SGD.options().dampening(2)));
        assertMessage("SGD: momentum must be > 0 with nesterov, got 0.0", () -> new SGD(p, SGD.options().nesterov(true)));
        assertMessage("SGD: dampening must be 0 with nesterov, got 0.1",
                () -> new SGD(p, SGD.options().momentum(0.9).dampening(0.1).nesterov(true)));
        assertMessage("SGD: weightDecay must be >= 0, got NaN", () -> new SGD(p, SGD.options().weightDecay(Double.NaN)));
        assertMessage("Adam: beta1 must be in [0, 1), got 1.0", () -> new Adam(p, Adam.options().beta1(1)));
        assertMessage("Adam: beta2 must be in [0, 1), got -0.1", () -> new Adam(p, Adam.options().beta2(-0.1)));
        assertMessage("Adam: eps must be >= 0, got -1.0E-8", () -> new Adam(p, Adam.options().eps(-1e-8)));
        assertMessage("AdamW: lr must be >= 0, got Infinity", () -> new AdamW(p, Double.POSITIVE_INFINITY));
        assertMessage("AdamW: weightDecay must be >= 0, got -0.01", () -> new AdamW(p, AdamW.options().weightDecay(-0.01)));
        assertMessage("RMSprop: alpha must be in [0, 1], got 1.5", () -> new RMSprop(p, RMSprop.options().alpha(1.5)));
        assertMessage("RMSprop: momentum must be in [0, 1), got 1.0", () -> new RMSprop(p, RMSprop.options().momentum(1)));
        assertMessage("Adagrad: lrDecay must be >= 0, got -0.1", () -> new Adagrad(p, Adagrad.options().lrDecay(-0.1)));
        assertMessage("Adagrad: initialAccumulatorValue must be >= 0, got -1.0",
                () -> new Adagrad(p, Adagrad.options().initialAccumulatorValue(-1)));
    }

    @Test
    void badGroupsAreRefused() {
        assertMessage("SGD: got no parameters to optimize", () -> new SGD(List.of(), 0.1));
        assertMessage("Adam: got no parameters to optimize", () -> new Adam(Adam.options()));
        assertMessage("appears more than once", () -> new SGD(List.of(w, w), 0.1));
        assertMessage("appears more than once", () -> new SGD(SGD.options(), new ParamGroup(List.of(w)), new ParamGroup(List.of(w))));
        assertMessage("ParamGroup: lr must be >= 0, got -0.1", () -> new ParamGroup(List.of(w)).setLr(-0.1));
        assertMessage("Adagrad: a parameter group sets momentum 0.5, but Adagrad has none",
                () -> new Adagrad(Adagrad.options(), new ParamGroup(List.of(w)).setMomentum(0.5)));
        assertMessage("ParamGroup: lr is not set; the optimizer the group joins fills it in", () -> new ParamGroup(List.of(w)).lr());
        ParamGroup shared = new ParamGroup(List.of(w));
        assertMessage("appears more than once", () -> new SGD(SGD.options(), shared, new ParamGroup(List.of(w))));
        try (SGD first = new SGD(SGD.options(), shared)) {        // the refused optimizer above did not take the group
            assertMessage("Adam: this parameter group already belongs to another optimizer, SGD", () -> new Adam(Adam.options(), shared));
            assertMessage("SGD: lr must be >= 0, got -1.0", () -> first.setLr(-1));
        }
    }

    static void assertMessage(String expected, Executable bad) {
        RuntimeException e = assertThrows(RuntimeException.class, bad);
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected a message containing '" + expected + "', got '" + e.getMessage() + "'");
    }
}
