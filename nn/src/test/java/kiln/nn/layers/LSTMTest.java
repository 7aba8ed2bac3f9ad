package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Golden;

class LSTMTest {
    /** float32 against PyTorch's float32, the same products and sums in a different order (relative, plus absolute near 0). */
    private static final double TOLERANCE = 1e-6;

    @Test
    void oneLayerMatchesPyTorch() {
        checkAgainstPyTorch("lstm_1layer.txt", 1);
    }

    @Test
    void twoLayersMatchPyTorch() {
        checkAgainstPyTorch("lstm_2layer.txt", 2);
    }

    private static void checkAgainstPyTorch(String file, int layers) {
        try (MemoryScope scope = MemoryScope.open(); LSTM lstm = new LSTM(3, 4, layers, new Generator(1))) {
            LayerGolden.check(file, lstm, TOLERANCE);
            Golden golden = Golden.load("/golden/layers/" + file);
            LSTM.Output out = lstm.forwardWithState(golden.tensor("input"));
            LayerGolden.assertClose(file + " h_n", golden.tensor("extra.h_n"), out.h(), TOLERANCE);
            LayerGolden.assertClose(file + " c_n", golden.tensor("extra.c_n"), out.c(), TOLERANCE);
            LayerGolden.assertClose(file + " output", golden.tensor("output"), out.sequence(), TOLERANCE);
        }
    }

    @Test
    void parametersHavePyTorchsNamesShapesAndInitialRange() {
        try (MemoryScope scope = MemoryScope.open(); LSTM lstm = new LSTM(3, 5, 2, new Generator(2))) {
            var params = lstm.namedParameters();
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                    "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"), List.copyOf(params.keySet()));
            assertArrayEquals(new int[] {20, 3}, params.get("weight_ih_l0").dims());
            assertArrayEquals(new int[] {20, 5}, params.get("weight_ih_l1").dims());
            assertArrayEquals(new int[] {20, 5}, params.get("weight_hh_l1").dims());
            assertArrayEquals(new int[] {20}, params.get("bias_hh_l1").dims());
            double bound = 1 / Math.sqrt(5);
            params.forEach((name, p) -> {
                assertTrue(p.value().abs().max().item() <= bound, name + " within ±1/√H");
                assertTrue(p.value().abs().max().item() > bound / 2, name + " spreads over the range");
            });
        }
    }

    @Test
    void theFinalStateIsTheLastStepOfEachLayer() {
        Generator rng = new Generator(3);
        try (MemoryScope scope = MemoryScope.open(); LSTM lstm = new LSTM(2, 3, 2, rng)) {
            LSTM.Output out = lstm.forwardWithState(Tensor.randn(rng, 4, 6, 2));
            assertArrayEquals(new int[] {4, 6, 3}, out.sequence().dims());
            assertArrayEquals(new int[] {2, 4, 3}, out.h().dims());
            assertArrayEquals(new int[] {2, 4, 3}, out.c().dims());
            assertArrayEquals(out.sequence().select(1, 5).toFloatArray(), out.h().select(0, 1).toFloatArray());
        }
    }

    @Test
    void gradientsPassGradCheck() {
        Generator rng = new Generator(4);
        try (MemoryScope scope = MemoryScope.open(); LSTM lstm = new LSTM(2, 3, 2, rng)) {
            lstm.to(DType.FLOAT64);
            Tensor x = Tensor.randn(rng, DType.FLOAT64, 2, 3, 2).requiresGrad(true);
            // One check of everything forwardWithState returns: the sequence and every layer's final h and c.
            LayerGradCheck.check("LSTM(2, 3, 2 layers)", lstm, in -> {
                LSTM.Output out = lstm.forwardWithState(in);
                return Tensor.cat(0, out.sequence().flatten(), out.h().flatten(), out.c().flatten());
            }, x);
        }
    }

    @Test
    void longSequencesBackpropagateThroughEveryStep() {
        // 2000 steps make a graph tens of thousands of nodes deep: the backward sweep must not recurse.
        Generator rng = new Generator(5);
        try (MemoryScope scope = MemoryScope.open(); LSTM lstm = new LSTM(1, 2, 1, rng)) {
            Tensor x = Tensor.randn(rng, 1, 2000, 1).requiresGrad(true);
            lstm.forward(x).sum().backward();
            assertNotEquals(0.0, x.grad().select(1, 0).item(), "the gradient reaches the first step");
            assertTrue(Double.isFinite(x.grad().abs().max().item()));
        }
    }

    @Test
    void refusesBadInputsAndSizes() {
        try (MemoryScope scope = MemoryScope.open(); LSTM lstm = new LSTM(3, 4, 1, new Generator(6))) {
            var e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 5, 4)));
            assertTrue(e.getMessage().contains("LSTM(in=3") && e.getMessage().contains("[2, 5, 4]")
                    && e.getMessage().contains("[B, T, 3]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 3)));
            assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(2, 0, 3)));
        }
        assertEquals("LSTM: sizes must be positive, got inputSize=3, hiddenSize=4, numLayers=0",
                assertThrows(IllegalArgumentException.class, () -> new LSTM(3, 4, 0, new Generator(7))).getMessage());
    }
}
