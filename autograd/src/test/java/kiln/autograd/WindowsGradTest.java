package kiln.autograd;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.Tensor;

/** Gradients of the window primitives, pad and unfold2d, against central differences. */
class WindowsGradTest {
    private final Generator rng = new Generator(31);

    private Tensor input(int... dims) {
        return Tensor.randn(rng, DType.FLOAT64, dims).requiresGrad(true);
    }

    @Test
    void pad() {
        GradCheck.check("pad", in -> in[0].pad(new int[] {0, 1, 2}, new int[] {1, 0, 3}, 0.5), input(2, 3, 4));
        // Through a transposed (strided) input, followed by an op that uses the border values.
        GradCheck.check("pad of a transpose", in -> in[0].t().pad(new int[] {1, 1}, new int[] {0, 2}, -1).exp(), input(3, 4));
    }

    @Test
    void unfold2dPlain() {
        GradCheck.check("unfold2d 3x3", in -> in[0].unfold2d(3, 3, 1, 1, 0, 0, 1, 1, 0), input(2, 2, 5, 4));
    }

    @Test
    void unfold2dWithStrideAndPadding() {
        // Overlapping windows (stride 1 < kernel 3 rows) and a border that is not zero.
        GradCheck.check("unfold2d 3x2 stride 1x2 padding 1x2",
                in -> in[0].unfold2d(3, 2, 1, 2, 1, 2, 1, 1, 0.25), input(1, 2, 5, 6));
        // Stride larger than the kernel: elements no window reads get a zero gradient.
        GradCheck.check("unfold2d 2x2 stride 3",
                in -> in[0].unfold2d(2, 2, 3, 3, 0, 0, 1, 1, 0), input(1, 2, 7, 8));
    }

    @Test
    void unfold2dWithDilation() {
        GradCheck.check("unfold2d 2x3 dilation 2x1 padding 1x1",
                in -> in[0].unfold2d(2, 3, 1, 1, 1, 1, 2, 1, 0), input(2, 1, 6, 5));
        GradCheck.check("unfold2d 3x3 dilation 2 stride 2 padding 2",
                in -> in[0].unfold2d(3, 3, 2, 2, 2, 2, 2, 2, 0), input(1, 3, 7, 6));
    }

    @Test
    void unfold2dOfAStridedInputInsideAComposition() {
        // A permuted input, and a product with itself so that the gradient depends on the values.
        GradCheck.check("unfold2d of a permute, squared",
                in -> {
                    Tensor columns = in[0].permute(0, 3, 1, 2).unfold2d(2, 2, 1, 1, 1, 0, 1, 1, 0);
                    return columns.mul(columns).sum(new int[] {2, 3}, false);
                }, input(1, 4, 5, 2));
    }
}
