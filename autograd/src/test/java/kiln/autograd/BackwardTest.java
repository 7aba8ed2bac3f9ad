package kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.engine.Autograd;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.NativeMemory;
import kiln.engine.Tensor;

/** What backward() does beyond each op's rule: accumulation, no-grad regions, errors, depth, memory. */
class BackwardTest {

    private static Tensor leaf(double... values) {
        return Tensor.fromArray(values, values.length).requiresGrad(true);
    }

    @Test
    void gradientsAccumulateOverTwoBackwardCalls() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = leaf(1, 2, 3);
            x.mul(x).sum().backward();
            x.mul(x).sum().backward();
            assertArrayEquals(new double[] {4, 8, 12}, x.grad().toDoubleArray(), 0, "2·(2x): the second pass adds to the first");
        }
    }

    @Test
    void aTensorUsedTwiceGetsTheSumOfBothGradients() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = leaf(1, 2, 3);
            x.mul(3).add(x.mul(x)).sum().backward();
            assertArrayEquals(new double[] {5, 7, 9}, x.grad().toDoubleArray(), 0, "d(3x + x²) = 3 + 2x");
        }
    }

    @Test
    void noGradTurnsRecordingOffAndNests() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = leaf(1, 2);
            assertTrue(Autograd.isRecording());
            try (Autograd.NoGrad outer = Autograd.noGrad()) {
                Tensor y = x.mul(2);
                assertFalse(y.requiresGrad(), "computed under noGrad");
                assertNull(y.gradFn());
                try (Autograd.NoGrad inner = Autograd.noGrad()) {
                    assertFalse(Autograd.isRecording());
                }
                assertFalse(Autograd.isRecording(), "closing the inner scope leaves the outer one in force");
                assertFalse(x.exp().requiresGrad());
                outer.close();
                outer.close();      // idempotent: must not turn recording on for an enclosing scope
                assertTrue(Autograd.isRecording());
            }
            assertTrue(Autograd.isRecording());
            assertEquals("mul", x.mul(2).gradFn());
        }
    }

    @Test
    void detachStopsTheGradient() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = leaf(1, 2, 3);
            Tensor frozen = x.detach();
            assertFalse(frozen.requiresGrad());
            assertTrue(frozen.isLeaf());
            frozen.mul(x).sum().backward();
            assertArrayEquals(new double[] {1, 2, 3}, x.grad().toDoubleArray(), 0, "d(c·x) with c = x held constant");
        }
    }

    @Test
    void requiresGradOnAnIntegerTensorThrows() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor labels = Tensor.fromArray(new long[] {1, 2, 3}, 3).named("labels");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> labels.requiresGrad(true));
            assertTrue(e.getMessage().contains("only floating-point tensors have gradients"), e.getMessage());
            assertTrue(e.getMessage().contains("'labels' int64[3]"), e.getMessage());
        }
    }

    @Test
    void requiresGradOnANonLeafThrows() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor y = leaf(1, 2).mul(2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(true));
            assertTrue(e.getMessage().contains("is the result of 'mul', not a leaf"), e.getMessage());
            assertTrue(e.getMessage().contains("detach()"), e.getMessage());
        }
    }

    @Test
    void backwardOfANonScalarWithoutASeedThrowsNamingTheShape() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor y = Tensor.randn(new Generator(1), DType.FLOAT64, 2, 3).requiresGrad(true).exp();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
            assertTrue(e.getMessage().contains("float64[2, 3] is not a scalar"), e.getMessage());
        }
    }

    @Test
    void backwardOfATensorThatNeedsNoGradientThrows() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor y = Tensor.ones(DType.FLOAT64, 2).sum();
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("does not require a gradient"), e.getMessage());
        }
    }

    @Test
    void backwardWithASeedWeighsTheOutputs() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = leaf(1, 2, 3);
            x.mul(x).backward(Tensor.fromArray(new double[] {1, 10, 100}, 3));
            assertArrayEquals(new double[] {2, 40, 600}, x.grad().toDoubleArray(), 0, "seed · 2x");
            Tensor wrong = Tensor.ones(DType.FLOAT64, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.mul(x).backward(wrong));
            assertTrue(e.getMessage().contains("float64[2] must have the shape of") && e.getMessage().contains("float64[3]"),
                    e.getMessage());
        }
    }

    @Test
    void aSecondBackwardThroughTheSameGraphThrowsUnlessTheGraphWasKept() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = leaf(1, 2, 3);
            Tensor y = x.mul(x).sum();
            y.backward();
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("already used by a backward pass"), e.getMessage());
            assertTrue(Autograd.isRecording(), "a failed backward() leaves recording on");

            x.setGrad(null);
            Tensor kept = x.mul(x).sum();
            kept.backward(Tensor.scalar(1, DType.FLOAT64), true);
            kept.backward();
            assertArrayEquals(new double[] {4, 8, 12}, x.grad().toDoubleArray(), 0, "two passes of 2x");
        }
    }

    @Test
    void inPlaceChangesOfATensorThatNeedsAGradientAreRefusedWhileRecording() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor w = leaf(1, 2).named("w");
            Tensor update = Tensor.fromArray(new double[] {5, 6}, 2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.copyFrom(update));
            assertTrue(e.getMessage().contains("copyFrom: 'w' float64[2] requires a gradient"), e.getMessage());
            assertTrue(e.getMessage().contains("Autograd.noGrad()"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> w.fill(0));
            assertThrows(IllegalStateException.class, () -> w.addInPlace(update));
            try (Autograd.NoGrad off = Autograd.noGrad()) {
                w.copyFrom(update);      // an optimizer step: allowed
            }
            assertArrayEquals(new double[] {5, 6}, w.toDoubleArray(), 0);
        }
    }

    @Test
    void aChainOfOneHundredThousandOpsDoesNotOverflowTheStack() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = leaf(0.5);
            Tensor y = x;
            for (int i = 0; i < 100_000; i++) {
                y = i % 2 == 0 ? y.add(1) : y.mul(1);
            }
            y.sum().backward();
            assertArrayEquals(new double[] {1}, x.grad().toDoubleArray(), 0);
        }
    }

    @Test
    void aFrozenLeafGetsNoGradient() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor w = leaf(1, 2).requiresGrad(false);
            Tensor x = leaf(3, 4);
            Tensor y = w.mul(x).sum();
            assertTrue(y.requiresGrad(), "x still needs a gradient");
            y.backward();
            assertNull(w.grad());
            assertArrayEquals(new double[] {1, 2}, x.grad().toDoubleArray(), 0);
        }
    }

    @Test
    void broadcastGradientsAreSummedBackToTheInputShape() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.zeros(DType.FLOAT64, 4, 3);
            Tensor bias = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);
            Tensor column = Tensor.zeros(DType.FLOAT64, 4, 1).requiresGrad(true);
            double[] upstream = new double[12];
            for (int i = 0; i < 12; i++) {
                upstream[i] = i;          // row r holds 3r, 3r+1, 3r+2
            }
            x.add(bias).add(column).backward(Tensor.fromArray(upstream, 4, 3));
            assertArrayEquals(new int[] {3}, bias.grad().dims());
            assertArrayEquals(new double[] {18, 22, 26}, bias.grad().toDoubleArray(), 0, "column sums");
            assertArrayEquals(new int[] {4, 1}, column.grad().dims());
            assertArrayEquals(new double[] {3, 12, 21, 30}, column.grad().toDoubleArray(), 0, "row sums");
        }
    }

    @Test
    void theGradientHasTheInputsDtype() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x32 = Tensor.fromArray(new float[] {1, 2}, 2).requiresGrad(true);
            Tensor x64 = leaf(3, 4);
            x32.mul(x64).sum().backward();           // computed in float64 (the promoted type)
            assertEquals(DType.FLOAT32, x32.grad().dtype());
            assertEquals(DType.FLOAT64, x64.grad().dtype());
            assertArrayEquals(new float[] {3, 4}, x32.grad().toFloatArray(), 0f);
            assertArrayEquals(new double[] {1, 2}, x64.grad().toDoubleArray(), 0);
        }
    }


    /** One training-like step: forward, loss, backward; every temporary belongs to the step's scope. */
    private static void step(Generator rng, Tensor w, Tensor b) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.randn(rng, 8, 5);
            Tensor hidden = x.matmul(w).add(b).relu();
            hidden.softmax(-1).max(1, false).mean().add(hidden.std()).backward();
        }
    }

    @Test
    void aScopeAroundForwardAndBackwardLeavesOnlyTheLeafGradientsAndRepeatedStepsStayFlat() throws InterruptedException {
        Generator rng = new Generator(11);
        try (Tensor w = Tensor.randn(rng, 5, 4).requiresGrad(true); Tensor b = Tensor.randn(rng, 4).requiresGrad(true)) {
            long baseline = NativeMemory.settledLiveBytes();
            long gradientBytes = (w.numel() + b.numel()) * DType.FLOAT32.byteSize();
            step(rng, w, b);
            assertEquals(baseline + gradientBytes, NativeMemory.liveBytes(), "only w.grad and b.grad outlive the step");
            for (int i = 0; i < 100; i++) {
                step(rng, w, b);      // gradients accumulate in place
                assertEquals(baseline + gradientBytes, NativeMemory.liveBytes(), "step " + i);
            }
            w.setGrad(null);
            b.setGrad(null);
            assertEquals(baseline, NativeMemory.liveBytes(), "dropping the gradients frees them");
        }
    }

    @Test
    void stdOfConstantDataHasZeroGradientNotNaN() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.ones(DType.FLOAT64, 4).requiresGrad(true);
            x.std().backward();
            assertArrayEquals(new double[] {0, 0, 0, 0}, x.grad().toDoubleArray(), 0.0, "PyTorch 1.13 gives zeros here");
        }
    }

    @Test
    void scalarBackwardCanKeepTheGraphForASecondPass() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new double[] {1, 2}, 2).requiresGrad(true);
            Tensor y = x.mul(x).sum();
            y.backward(true);
            y.backward();
            assertArrayEquals(new double[] {4, 8}, x.grad().toDoubleArray(), 0.0, "two passes accumulate 2·2x");
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("already used by a backward pass"), e.getMessage());
        }
    }

    @Test
    void setGradRefusesAGradientOfAnotherShapeOrDtype() {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.zeros(DType.FLOAT64, 2, 3).requiresGrad(true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.setGrad(Tensor.zeros(3, 2)));
            assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }

    @Test
    void setGradTakesTheGradientOutOfTheScopeThatMadeIt() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        try (MemoryScope scope = MemoryScope.open()) {
            x.setGrad(Tensor.ones(DType.FLOAT64, 2));
        }
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray(), 0.0, "the leaf owns its gradient now");
        x.close();
        assertNull(x.grad(), "closing the leaf closes and drops its gradient");
    }
}
