package kiln.nn.layers;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;

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
}
