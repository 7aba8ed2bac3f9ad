package kiln.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Every class of user error gets a message that says what went wrong with the values involved: the
 * op, both shapes, the bad axis and the valid range, the dtype that is needed, the bad index and the
 * valid range. (Touching a closed tensor is covered by {@link MemoryTest}.)
 */
class ErrorMessagesTest {

    @Test
    void shapeMismatchesNameTheOpAndBothShapes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = Tensor.zeros(2, 3);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.add(Tensor.zeros(4)), "add", "[2, 3]", "[4]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.mul(Tensor.zeros(3, 3)), "mul", "[2, 3]", "[3, 3]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.lt(Tensor.zeros(2, 2)), "lt", "[2, 3]", "[2, 2]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(4, 5)),
                    "matmul", "[2, 3]", "[4, 5]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(5, 4, 6)),
                    "matmul", "[2, 3, 4]", "[5, 4, 6]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0, a, Tensor.zeros(2, 4)),
                    "cat", "[2, 3]", "[2, 4]", "axis 1");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0, a, Tensor.zeros(6)),
                    "cat", "[2, 3]", "[6]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.stack(0, a, Tensor.zeros(3, 2)),
                    "stack", "[2, 3]", "[3, 2]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.reshape(4), "reshape", "[2, 3]", "[4]", "6");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.reshape(4, -1), "reshape", "[2, 3]", "[4, -1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.view(7), "view", "[2, 3]", "[7]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.expand(4, 3, 5), "expand", "[2, 3]", "[4, 3, 5]");
            Check.assertThrowsWith(IllegalArgumentException.class,
                    () -> Tensor.where(Tensor.fromArray(new boolean[] {true, false}, 2), a, a), "where", "[2]", "[2, 3]");
        }
    }

    @Test
    void badAxesNameTheOpTheAxisAndTheValidRange() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = Tensor.zeros(2, 3);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.sum(5, false), "sum", "axis 5", "rank 2", "[-2, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.mean(new int[] {0, -3}, true), "mean", "axis -3", "[-2, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.transpose(0, 2), "transpose", "axis 2", "[-2, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.softmax(2), "softmax", "axis 2", "[-2, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.logSoftmax(-3), "logSoftmax", "axis -3", "[-2, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.select(2, 0), "select", "axis 2", "[-2, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.argmax(2, false), "argmax", "axis 2", "[-2, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.unsqueeze(3), "unsqueeze", "axis 3", "[-3, 2]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(2, a, a), "cat", "axis 2", "[-2, 1]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(1).sum(0, false), "sum", "axis 0", "scalar");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.sum(new int[] {1, -1}, false), "sum", "twice");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.permute(0, 0), "permute", "twice");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.permute(1, 0, 2), "permute", "2 axes", "[1, 0, 2]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.squeeze(1), "squeeze", "axis 1", "size 3");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 4).t(), "t", "rank 2", "[2, 3, 4]");
        }
    }

    @Test
    void badDtypesNameWhatIsNeeded() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor ints = Tensor.zeros(DType.INT32, 2, 2);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> ints.matmul(ints), "matmul", "float32", "float64", "int32");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(2, 2).matmul(Tensor.zeros(DType.FLOAT64, 2, 2)),
                    "matmul", "float32[2, 2]", "float64[2, 2]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(DType.INT64, 3).mean(),
                    "mean", "floating-point", "int64");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(DType.INT64, 3).var(), "var", "floating-point");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(DType.INT32, 3).softmax(0), "softmax", "floating-point");
            Tensor mask = Tensor.fromArray(new boolean[] {true, false}, 2);
            Check.assertThrowsWith(IllegalArgumentException.class, mask::neg, "neg", "bool");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> mask.add(mask), "add", "bool");
            Check.assertThrowsWith(IllegalArgumentException.class, mask::max, "max", "bool");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.where(Tensor.ones(2), mask, mask),
                    "where", "condition must be bool", "float32");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.rand(new Generator(1), DType.INT32, 2),
                    "rand", "float32 or float64", "int32");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.oneHot(Tensor.zeros(3), 2), "oneHot", "int32 or int64");
        }
    }

    @Test
    void badIndicesNameTheIndexAndTheValidRange() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = Tensor.zeros(4, 3);
            Check.assertThrowsWith(IndexOutOfBoundsException.class, () -> a.get(1, 5), "get", "index 5", "axis 1", "[-3, 2]");
            Check.assertThrowsWith(IndexOutOfBoundsException.class, () -> a.get(-5, 0), "get", "index -5", "[-4, 3]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> a.get(1), "get", "2 indices", "got 1");
            Check.assertThrowsWith(IndexOutOfBoundsException.class, () -> a.narrow(0, 2, 5), "narrow", "start 2", "length 5", "size 4");
            Check.assertThrowsWith(IndexOutOfBoundsException.class, () -> a.narrow(1, -1, 1), "narrow", "start -1");
            Check.assertThrowsWith(IndexOutOfBoundsException.class, () -> a.select(1, 3), "select", "index 3", "[-3, 2]");
            Check.assertThrowsWith(IndexOutOfBoundsException.class, () -> a.gather(0, Tensor.fromArray(new long[] {4}, 1, 1)),
                    "gather", "index 4", "[0, 3]");
            Check.assertThrowsWith(IllegalArgumentException.class, a::item, "item", "one element", "[4, 3]");
        }
    }

    @Test
    void badArgumentsOfFactoriesAndOpsShowTheValues() {
        try (MemoryScope s = MemoryScope.open()) {
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.fromArray(new float[5], 2, 3),
                    "fromArray", "5 values", "[2, 3]", "6 elements");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.fromArray(new long[2], 3), "fromArray", "2 values", "[3]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.arange(0, 10, 0, DType.FLOAT32), "arange", "step=0.0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.arange(0, Double.NaN, 1, DType.FLOAT32), "arange", "end=NaN");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).clamp(2, 1), "clamp", "lo=2.0", "hi=1.0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).clamp(Double.NaN, 1), "clamp", "NaN");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.randint(new Generator(1), 5, 5, 2), "randint", "low=5", "high=5");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, -1), "linspace", "-1");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(-1), "shape", "negative");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(6).reshape(-1, -1), "reshape", "only one", "-1");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(6).slice(0, 0, 6, 0), "slice", "step", "0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(6).split(0, 0), "split", "size", "0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(6).chunk(0, 0), "chunk", "0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0), "cat", "at least one");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(0, Tensor.scalar(1), Tensor.scalar(2)), "cat", "scalars", "stack");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.oneHot(Tensor.zeros(DType.INT64, 2), 0), "oneHot", "classes", "0");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).max(0, false), "max", "empty");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(0).argmax(), "argmax", "empty");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).var(new int[] {0}, false, -1), "var", "correction", "-1");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).to((DType) null), "to", "null");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).to((Device) null), "to", "device", "null");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.scalar(2).matmul(Tensor.zeros(2)), "matmul", "at least one axis");
        }
    }

    @Test
    void nullOperandsNameTheOpAndWhichOperand() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = Tensor.ones(2);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> x.add(null), "add", "operand 1", "null");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> x.matmul(null), "matmul", "operand 1", "null");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.where(null, x, x), "where", "operand 0", "null");
        }
    }

    @Test
    void scatterAddChecksRanksBeforeReadingSizes() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor index = Tensor.fromArray(new long[] {0, 1}, 2);
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).scatterAdd(0, index, Tensor.scalar(1)),
                    "scatterAdd", "src", "rank", "[2]");
            Check.assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(3).scatterAdd(0, index, Tensor.ones(1)),
                    "scatterAdd", "[2]", "[1]");
        }
    }

    @Test
    void integersToNegativePowersAreRefusedWithoutLeaking() throws InterruptedException {
        try (Tensor base = Tensor.fromArray(new int[] {2, 3}, 2); Tensor exponent = Tensor.fromArray(new int[] {1, -1}, 2)) {
            long before = NativeMemory.settledLiveBytes();
            Check.assertThrowsWith(IllegalArgumentException.class, () -> base.pow(exponent), "pow", "negative", "-1");
            assertEquals(before, NativeMemory.liveBytes(), "the refused result's memory was released");
        }
    }
}
