package kiln.engine;

import java.util.Locale;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.CompareOp;
import kiln.kernels.cpu.UnaryOp;

/**
 * Elementwise ops: the dtype and broadcasting rules, checked once here for every backend.
 *
 * <p>Dtypes follow PyTorch: two operands are computed in {@link DType#promote}; dividing integers
 * gives float32; transcendental functions of integers (pow to a fractional exponent among them) give
 * float32; bool takes part in comparisons and {@code where} but not in arithmetic.
 */
final class Pointwise {
    private Pointwise() {}

    static String opName(Enum<?> op) {
        return op.name().toLowerCase(Locale.ROOT);
    }

    /** Throws unless every tensor is open and on the first one's device. */
    static void checkSameDevice(String op, Tensor... tensors) {
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i] == null) {
                throw new IllegalArgumentException(op + ": operand " + i + " is null");
            }
        }
        for (Tensor t : tensors) {
            t.ensureOpen();
            if (!t.device().equals(tensors[0].device())) {
                throw new IllegalArgumentException(op + ": operands are on different devices: "
                        + tensors[0].describe() + " on " + tensors[0].device() + ", " + t.describe() + " on " + t.device());
            }
        }
    }

    private static void refuseBool(String op, Tensor t) {
        if (t.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + ": not defined for bool tensors like " + t.describe()
                    + "; convert first with to(DType.INT32) or to(DType.FLOAT32)");
        }
    }

    /** t itself if it has dtype {@code type}, else a converted copy (the caller closes it). */
    private static Tensor as(Tensor t, DType type) {
        return t.dtype() == type ? t : t.to(type);
    }

    private static void closeIfCopy(Tensor copy, Tensor original) {
        if (copy != original) {
            copy.close();
        }
    }

    static Tensor unary(UnaryOp op, Tensor t) {
        String name = opName(op);
        checkSameDevice(name, t);
        refuseBool(name, t);
        boolean keepsIntegers = op == UnaryOp.NEG || op == UnaryOp.ABS || op == UnaryOp.RELU;
        DType type = keepsIntegers || t.dtype().isFloatingPoint() ? t.dtype() : DType.FLOAT32;
        Tensor input = as(t, type);
        try {
            Tensor out = Tensor.empty(type, t.shape(), t.device());
            t.backend().unary(op, out, input);
            return out;
        } finally {
            closeIfCopy(input, t);
        }
    }

    static Tensor pow(Tensor t, double exponent) {
        checkSameDevice("pow", t);
        refuseBool("pow", t);
        if (t.dtype().isInteger() && exponent == Math.rint(exponent) && !Double.isInfinite(exponent)) {
            // As PyTorch, and as pow(Tensor): integers to an integral power stay integers (a negative power is refused).
            return binaryScalar(BinaryOp.POW, t, exponent);
        }
        DType type = t.dtype().isFloatingPoint() ? t.dtype() : DType.FLOAT32;
        Tensor input = as(t, type);
        try {
            Tensor out = Tensor.empty(type, t.shape(), t.device());
            t.backend().powScalar(out, input, exponent);
            return out;
        } finally {
            closeIfCopy(input, t);
        }
    }

    static Tensor clamp(Tensor t, double lo, double hi) {
        checkSameDevice("clamp", t);
        refuseBool("clamp", t);
        if (Double.isNaN(lo) || Double.isNaN(hi) || lo > hi) {
            throw new IllegalArgumentException("clamp: needs lo <= hi (no NaN), got lo=" + lo + ", hi=" + hi);
        }
        Tensor out = Tensor.empty(t.dtype(), t.shape(), t.device());
        t.backend().clamp(out, t, lo, hi);
        return out;
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = opName(op);
        checkSameDevice(name, a, b);
        refuseBool(name, a);
        refuseBool(name, b);
        Shape shape = Shape.broadcast(name, a.shape(), b.shape());
        DType type = DType.promote(a.dtype(), b.dtype());
        if (op == BinaryOp.DIV && !type.isFloatingPoint()) {
            type = DType.FLOAT32;
        }
        Tensor left = as(a, type);
        Tensor right = as(b, type);
        try (Tensor leftWide = left.broadcastTo(shape); Tensor rightWide = right.broadcastTo(shape)) {
            Tensor out = Tensor.empty(type, shape, a.device());
            try {
                a.backend().binary(op, out, leftWide, rightWide);
            } catch (RuntimeException e) {
                out.close();     // e.g. an integer to a negative power: release the result before reporting it
                throw e;
            }
            return out;
        } finally {
            closeIfCopy(left, a);
            closeIfCopy(right, b);
        }
    }

    /**
     * A scalar operand of the type PyTorch would give it (the tensor's own, or float32 for a fraction
     * with integers), on the tensor's device: on a GPU it is filled there, not copied up.
     */
    private static Tensor scalarFor(Tensor t, double value) {
        boolean integral = value == Math.rint(value) && !Double.isInfinite(value);
        DType type = t.dtype().isFloatingPoint() || (integral && t.dtype() != DType.BOOL) ? t.dtype() : DType.FLOAT32;
        return Factories.full(value, type, Shape.of(), t.device());
    }

    static Tensor binaryScalar(BinaryOp op, Tensor t, double value) {
        t.ensureOpen();
        try (Tensor scalar = scalarFor(t, value)) {
            return binary(op, t, scalar);
        }
    }

    static Tensor compare(CompareOp op, Tensor a, Tensor b) {
        try (Autograd.NoGrad off = Autograd.noGrad()) {      // a comparison has no gradient: its casts and views need no graph
            return compareUnrecorded(op, a, b);
        }
    }

    private static Tensor compareUnrecorded(CompareOp op, Tensor a, Tensor b) {
        String name = opName(op);
        checkSameDevice(name, a, b);
        Shape shape = Shape.broadcast(name, a.shape(), b.shape());
        DType type = DType.promote(a.dtype(), b.dtype());
        Tensor left = as(a, type);
        Tensor right = as(b, type);
        try (Tensor leftWide = left.broadcastTo(shape); Tensor rightWide = right.broadcastTo(shape)) {
            Tensor out = Tensor.empty(DType.BOOL, shape, a.device());
            a.backend().compare(op, out, leftWide, rightWide);
            return out;
        } finally {
            closeIfCopy(left, a);
            closeIfCopy(right, b);
        }
    }

    static Tensor compareScalar(CompareOp op, Tensor t, double value) {
        t.ensureOpen();
        try (Tensor scalar = scalarFor(t, value)) {
            return compare(op, t, scalar);
        }
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        checkSameDevice("where", cond, a, b);
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: the condition must be bool, got " + cond.describe()
                    + "; make one with a comparison such as x.gt(0)");
        }
        Shape shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        DType type = DType.promote(a.dtype(), b.dtype());
        Tensor left = as(a, type);
        Tensor right = as(b, type);
        try (Tensor condWide = cond.broadcastTo(shape);
             Tensor leftWide = left.broadcastTo(shape);
             Tensor rightWide = right.broadcastTo(shape)) {
            Tensor out = Tensor.empty(type, shape, a.device());
            a.backend().where(out, condWide, leftWide, rightWide);
            return out;
        } finally {
            closeIfCopy(left, a);
            closeIfCopy(right, b);
        }
    }

    static Tensor cast(Tensor t, DType target) {
        t.ensureOpen();
        if (target == null) {
            throw new IllegalArgumentException("to: target dtype is null");
        }
        Tensor out = Tensor.empty(target, t.shape(), t.device());
        t.backend().copy(out, t);
        return out;
    }

    /**
     * The share of the gradient of maximum(a, b) that goes to a: 1 where a wins, ½ on ties, 0 where it
     * loses (as PyTorch). For minimum, swap the operands.
     */
    static Tensor winnerWeight(Tensor a, Tensor b) {
        DType type = DType.promote(a.dtype(), b.dtype());
        return a.gt(b).to(type).add(a.eq(b).to(type).mul(0.5));
    }
}
