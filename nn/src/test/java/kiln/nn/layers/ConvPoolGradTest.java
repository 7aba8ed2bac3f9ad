package kiln.nn.layers;

import org.junit.jupiter.api.Test;

import kiln.autograd.GradCheck;
import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.Tensor;

/**
 * The convolution and pooling layers' gradients against central differences, in float64. Conv2d is
 * checked through {@link Conv2d#convolve}, the function its forward runs, so that the weight and
 * bias can be float64 too; the other layers have no parameters and run as they are.
 */
class ConvPoolGradTest {
    private final Generator rng = new Generator(41);

    private Tensor input(int... dims) {
        return Tensor.randn(rng, DType.FLOAT64, dims).requiresGrad(true);
    }

    @Test
    void conv2d() {
        Window2d window = Window2d.of(2, 3).stride(1, 2).padding(1);
        GradCheck.check("conv2d 2x3 stride 1x2 padding 1",
                in -> Conv2d.convolve("conv2d", in[0], in[1], in[2], window, 1),
                input(2, 3, 5, 6), input(4, 3, 2, 3), input(4));
    }

    @Test
    void conv2dDilatedGroupedWithoutBias() {
        Window2d window = Window2d.of(3).padding(2).dilation(2);
        GradCheck.check("conv2d 3x3 dilation 2 groups 2",
                in -> Conv2d.convolve("conv2d", in[0], in[1], null, window, 2),
                input(1, 4, 5, 5), input(6, 2, 3, 3));
    }

    @Test
    void maxPool2d() {
        // Random values have no ties, so the maximum is differentiable at the test point.
        GradCheck.check("MaxPool2d(3, 2, 1)", in -> new MaxPool2d(3, 2, 1).forward(in[0]), input(2, 2, 5, 6));
        GradCheck.check("MaxPool2d 2x3 dilation 2",
                in -> new MaxPool2d(Window2d.of(2, 3).dilation(2).stride(1, 2)).forward(in[0]), input(1, 2, 5, 7));
    }

    @Test
    void avgPool2d() {
        GradCheck.check("AvgPool2d(3, 2, 1)", in -> new AvgPool2d(3, 2, 1).forward(in[0]), input(2, 2, 5, 6));
        GradCheck.check("AvgPool2d(2)", in -> new AvgPool2d(2).forward(in[0]), input(1, 3, 4, 5));
    }

    @Test
    void adaptiveAvgPool2d() {
        GradCheck.check("AdaptiveAvgPool2d uneven", in -> new AdaptiveAvgPool2d(3, 2).forward(in[0]), input(2, 2, 7, 5));
        GradCheck.check("AdaptiveAvgPool2d even", in -> new AdaptiveAvgPool2d(2, 3).forward(in[0]), input(1, 2, 4, 6));
        GradCheck.check("AdaptiveAvgPool2d larger than the input", in -> new AdaptiveAvgPool2d(4).forward(in[0]), input(1, 2, 3, 2));
    }

    @Test
    void flatten() {
        GradCheck.check("Flatten(1, 2)", in -> new Flatten(1, 2).forward(in[0]).exp(), input(2, 3, 2, 2));
    }
}
