package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/** Construction, initialisation, PyTorch's tie rule for max pooling, and the error messages. */
class ConvPoolLayersTest {
    private final Generator rng = new Generator(7);

    private static void assertThrowsWith(Executable body, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message should contain '" + fragment + "' but was: " + e.getMessage());
        }
    }

    @Test
    void conv2dHasPyTorchsParametersAndInitialisation() {
        try (Conv2d conv = new Conv2d(Conv2d.options(4, 6, Window2d.of(3, 2)).groups(2), rng)) {
            assertEquals(List.of("weight", "bias"), List.copyOf(conv.stateDict().keySet()));
            assertArrayEquals(new int[] {6, 2, 3, 2}, conv.weight().dims());
            assertArrayEquals(new int[] {6}, conv.bias().dims());
            // fanIn = C/G·kH·kW = 2·3·2 = 12: both uniform in ±1/√12 ≈ 0.289.
            double bound = 1 / Math.sqrt(12);
            for (Tensor values : List.of(conv.weight().value(), conv.bias().value())) {
                double largest = 0;
                for (float v : values.toFloatArray()) {
                    largest = Math.max(largest, Math.abs(v));
                }
                assertTrue(largest <= bound, "within ±1/√fanIn: " + largest);
                assertTrue(largest > 0.5 * bound, "spread over ±1/√fanIn, not a smaller range: " + largest);
            }
        }
        try (Conv2d noBias = new Conv2d(Conv2d.options(1, 2, Window2d.of(1)).bias(false), rng)) {
            assertNull(noBias.bias());
            assertEquals(List.of("weight"), List.copyOf(noBias.stateDict().keySet()));
        }
    }

    @Test
    void convolutionOutputSizesFollowPyTorchsFormula() {
        try (MemoryScope s = MemoryScope.open();
             Conv2d conv = new Conv2d(Conv2d.options(2, 3, Window2d.of(3, 2).stride(2, 1).padding(1, 0).dilation(1, 3)), rng)) {
            // H: ⌊(9 + 2 − 2 − 1)/2⌋ + 1 = 5; W: ⌊(8 + 0 − 3 − 1)/1⌋ + 1 = 5.
            assertArrayEquals(new int[] {1, 3, 5, 5}, conv.forward(Tensor.zeros(1, 2, 9, 8)).dims());
        }
    }

    @Test
    void maxPoolSendsATiesGradientToTheFirstMaximum() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.fromArray(new float[] {
                1, 5, 5, 0,
                5, 2, 0, 0,
                0, 0, 3, 3,
                0, 0, 3, 3}, 1, 1, 4, 4).requiresGrad(true);
            Tensor y = new MaxPool2d(2).forward(x);
            assertArrayEquals(new float[] {5, 5, 0, 3}, y.toFloatArray());
            y.sum().backward();
            assertArrayEquals(new float[] {
                0, 1, 1, 0,
                0, 0, 0, 0,
                1, 0, 1, 0,
                0, 0, 0, 0}, x.grad().toFloatArray());
        }
    }

    @Test
    void flattenMergesTheNamedAxes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.zeros(2, 3, 4, 5);
            assertArrayEquals(new int[] {2, 60}, new Flatten().forward(x).dims());
            assertArrayEquals(new int[] {6, 4, 5}, new Flatten(0, 1).forward(x).dims());
            assertArrayEquals(new int[] {2, 3, 20}, new Flatten(-2, 3).forward(x).dims());
            assertArrayEquals(new int[] {2, 3, 4, 5}, new Flatten(2, 2).forward(x).dims());
        }
    }

    @Test
    void badArgumentsAreNamedWithTheirValues() {
        assertThrowsWith(() -> Conv2d.options(3, 4, Window2d.of(3)).groups(2), "Conv2d", "inChannels 3 is not divisible by groups 2");
        assertThrowsWith(() -> Conv2d.options(4, 3, Window2d.of(3)).groups(2), "Conv2d", "outChannels 3 is not divisible by groups 2");
        assertThrowsWith(() -> Conv2d.options(0, 4, Window2d.of(3)), "Conv2d", "in=0");
        assertThrowsWith(() -> Conv2d.options(2, 4, Window2d.of(3)).groups(0), "Conv2d", "groups", "0");
        assertThrowsWith(() -> Window2d.of(0, 3), "Window2d", "kernel", "0x3");
        assertThrowsWith(() -> Window2d.of(3).stride(2, 0), "Window2d", "stride", "2x0");
        assertThrowsWith(() -> Window2d.of(3).padding(-1), "Window2d", "padding", "-1x-1");
        assertThrowsWith(() -> Window2d.of(3).dilation(0, 1), "Window2d", "dilation", "0x1");
        assertThrowsWith(() -> new MaxPool2d(3, 1, 2), "MaxPool2d", "padding 2x2", "half the kernel 3x3");
        assertThrowsWith(() -> new AvgPool2d(Window2d.of(2, 4).padding(0, 3)), "AvgPool2d", "padding 0x3", "half the kernel 2x4");
        assertThrowsWith(() -> new AvgPool2d(Window2d.of(3).dilation(2)), "AvgPool2d", "dilation 2x2");
        assertThrowsWith(() -> new AdaptiveAvgPool2d(0, 2), "AdaptiveAvgPool2d", "0x2");
        assertThrowsWith(() -> new Flatten(2, 1), "Flatten", "startDim 2", "endDim 1");
    }

    @Test
    void badInputsNameTheLayerAndTheShape() {
        try (MemoryScope s = MemoryScope.open(); Conv2d conv = new Conv2d(3, 4, 3, rng)) {
            assertThrowsWith(() -> conv.forward(Tensor.zeros(3, 7, 7)), "Conv2d(in=3, out=4", "[3, 7, 7]", "[N, C, H, W]");
            assertThrowsWith(() -> conv.forward(Tensor.zeros(1, 5, 7, 7)), "Conv2d(in=3, out=4", "[1, 5, 7, 7]", "5 channels", "expected 3");
            assertThrowsWith(() -> conv.forward(Tensor.zeros(1, 3, 2, 7)), "Conv2d(in=3, out=4", "[1, 3, 2, 7]", "kernel 3x3", "0x5");
            assertThrowsWith(() -> new MaxPool2d(3).forward(Tensor.zeros(1, 1, 2, 2)), "MaxPool2d(kernel=3x3", "[1, 1, 2, 2]");
            assertThrowsWith(() -> new AvgPool2d(2).forward(Tensor.zeros(4, 4)), "AvgPool2d(kernel=2x2", "[4, 4]", "[N, C, H, W]");
            assertThrowsWith(() -> new AdaptiveAvgPool2d(2).forward(Tensor.zeros(1, 1, 0, 3)), "AdaptiveAvgPool2d(2x2)", "[1, 1, 0, 3]");
            assertThrowsWith(() -> new Flatten().forward(Tensor.zeros(5)), "Flatten(startDim=1, endDim=-1)", "[5]");
        }
    }
}
