package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Golden;

/**
 * Conv2d, the poolings and Flatten against PyTorch 1.13 (tools/reference/make_goldens.py): output,
 * input gradient and parameter gradients after back-propagating the stored upstream gradient.
 */
class ConvPoolGoldenTest {
    /**
     * float32, different summation order: an output sums up to C/G·kH·kW = 36 products, a weight
     * gradient up to N·OH·OW = 1024, each adding a rounding of up to 2⁻²⁴ relative to the running sum.
     */
    private static final double CONVOLUTION = 1e-5;
    /** Maxima and Flatten copy values exactly; averages of ≤ 9 terms (and a division) agree to a few ulps. */
    private static final double POOLING = 1e-6;

    private final Generator rng = new Generator(5);

    @Test
    void conv2dBasic() {
        LayerGolden.check("conv2d_basic.txt", new Conv2d(3, 4, 3, rng), CONVOLUTION);
    }

    @Test
    void conv2dRectangularKernelWithStrideAndPadding() {
        Conv2d conv = new Conv2d(Conv2d.options(2, 3, Window2d.of(3, 2).stride(2).padding(1)), rng);
        LayerGolden.check("conv2d_stride_pad.txt", conv, CONVOLUTION);
    }

    @Test
    void conv2dDilatedAndGrouped() {
        Conv2d conv = new Conv2d(Conv2d.options(4, 6, Window2d.of(3).padding(2).dilation(2)).groups(2), rng);
        LayerGolden.check("conv2d_dilation_groups.txt", conv, CONVOLUTION);
    }

    @Test
    void maxPool2dOverlappingWindowsWithPadding() {
        LayerGolden.check("maxpool2d.txt", new MaxPool2d(3, 2, 1), POOLING);
    }

    @Test
    void avgPool2d() {
        LayerGolden.check("avgpool2d.txt", new AvgPool2d(2), POOLING);
    }

    @Test
    void avgPool2dCountsThePaddingAsZeros() {
        LayerGolden.check("avgpool2d_pad.txt", new AvgPool2d(3, 2, 1), POOLING);
    }

    @Test
    void adaptiveAvgPool2dWithUnevenWindows() {
        LayerGolden.check("adaptiveavgpool2d.txt", new AdaptiveAvgPool2d(3, 2), POOLING);
    }

    @Test
    void flatten() {
        LayerGolden.check("flatten.txt", new Flatten(), POOLING);
    }

    /**
     * The layers together: models/cnn.txt's network, its logits and every parameter gradient at step 0
     * (the optimizer steps of that file are left to the optimizer tests). The cross-entropy is written
     * out as −mean(log_softmax(logits)[i, y_i]).
     */
    @Test
    void smallCnnLogitsAndFirstGradients() {
        Golden golden = Golden.load("/golden/models/cnn.txt");
        Sequential model = new Sequential(
                new Conv2d(Conv2d.options(1, 4, Window2d.of(3).padding(1)), rng), Activation.relu(), new MaxPool2d(2),
                new Conv2d(4, 8, 3, rng), Activation.relu(), new Flatten(), new Linear(32, 5, rng));
        try (MemoryScope scope = MemoryScope.open(); model) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            model.stateDict().keySet().forEach(name -> state.put(name, golden.tensor("param." + name)));
            model.loadStateDict(state);
            Tensor logits = model.forward(golden.tensor("X"));
            LayerGolden.assertClose("cnn logits.0", golden.tensor("logits.0"), logits, CONVOLUTION);
            Tensor labels = golden.tensor("y").unsqueeze(1);
            Tensor loss = logits.logSoftmax(1).gather(1, labels).mean().neg();
            assertEquals(golden.value("loss.0"), loss.item(), CONVOLUTION, "cnn loss.0");
            loss.backward();
            model.namedParameters().forEach((name, p) ->
                    LayerGolden.assertClose("cnn grad0." + name, golden.tensor("grad0." + name), p.grad(), CONVOLUTION));
        }
    }
}
