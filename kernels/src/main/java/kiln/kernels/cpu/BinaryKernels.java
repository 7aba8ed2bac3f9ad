package kiln.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise float32 kernels with two inputs, one row at a time: element i of an input is
 * {@code x[xOff + i·xStep]} where the step is 1 (a contiguous row) or 0 (one value broadcast along
 * the row). The engine runs a broadcast binary op as a sequence of such rows.
 *
 * <p>Offsets count elements, not bytes. {@code out} may be an input of step 1 at the same offset
 * (in place); it must not overlap an input otherwise, nor the element of a step-0 input. Rows of
 * more than {@link UnaryKernels#CHUNK} elements are split into fixed chunks over {@link Parallel}.
 *
 * <p>Each kernel has a scalar reference ({@code ...Scalar}) and a Vector API version ({@code ...Simd})
 * with the same signature; the public entry point picks one by {@link Simd#enabled()}. The SIMD
 * versions are exact (equal to the reference bit for bit); POW is the scalar reference on both paths.
 */
public final class BinaryKernels {
    private BinaryKernels() {}

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Bytes with as many lanes as {@link #SPECIES}, for 0/1 masks; null below 8 lanes (no 32-bit shape). */
    private static final VectorSpecies<Byte> BYTE_SPECIES = SPECIES.length() < 8 ? null
            : VectorSpecies.of(byte.class, VectorShape.forBitSize(SPECIES.length() * Byte.SIZE));
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    // ---------------------------------------------------------------------------------------- zip

    /** {@code out[outOff + i] = op(a[aOff + i·aStep], b[bOff + i·bStep])} for i ∈ [0, n), steps 0 or 1. */
    public static void zip(BinaryOp op, MemorySegment out, long outOff,
                           MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        checkStep("aStep", aStep);
        checkStep("bStep", bStep);
        boolean simd = Simd.enabled();
        UnaryKernels.forEachChunk(n, (from, count) -> {
            long aFrom = aOff + (long) from * aStep;
            long bFrom = bOff + (long) from * bStep;
            if (simd) {
                zipSimd(op, out, outOff + from, a, aFrom, aStep, b, bFrom, bStep, count);
            } else {
                zipScalar(op, out, outOff + from, a, aFrom, aStep, b, bFrom, bStep, count);
            }
        });
    }

    /** Scalar reference of {@link #zip}: {@link BinaryOp#apply} element by element. */
    public static void zipScalar(BinaryOp op, MemorySegment out, long outOff,
                                 MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        for (int i = 0; i < n; i++) {
            float x = a.getAtIndex(JAVA_FLOAT, aOff + (long) i * aStep);
            float y = b.getAtIndex(JAVA_FLOAT, bOff + (long) i * bStep);
            out.setAtIndex(JAVA_FLOAT, outOff + i, op.apply(x, y));
        }
    }

    /** Vector API version of {@link #zip}. */
    public static void zipSimd(BinaryOp op, MemorySegment out, long outOff,
                               MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        // POW has no vector loop (see UnaryKernels.powSimd): all of it goes to the scalar reference.
        int bound = op == BinaryOp.POW ? 0 : SPECIES.loopBound(n);
        // One loop method per op: see UnaryKernels.mapSimd for why.
        switch (op) {
            case ADD -> add(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case SUB -> sub(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case MUL -> mul(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case DIV -> div(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case POW -> { }
            case MAX -> max(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case MIN -> min(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case RELU_GRAD -> reluGrad(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
        }
        zipScalar(op, out, outOff + bound,
                a, aOff + (long) bound * aStep, aStep, b, bOff + (long) bound * bStep, bStep, n - bound);
    }

    // The loops of zipSimd over [0, bound), bound a multiple of the lane count.

    private static void add(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                            MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, operand(a, aOff, aStep, i).add(operand(b, bOff, bStep, i)));
        }
    }

    private static void sub(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                            MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, operand(a, aOff, aStep, i).sub(operand(b, bOff, bStep, i)));
        }
    }

    private static void mul(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                            MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, operand(a, aOff, aStep, i).mul(operand(b, bOff, bStep, i)));
        }
    }

    private static void div(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                            MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, operand(a, aOff, aStep, i).div(operand(b, bOff, bStep, i)));
        }
    }

    private static void max(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                            MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, operand(a, aOff, aStep, i).max(operand(b, bOff, bStep, i)));
        }
    }

    private static void min(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                            MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            store(out, outOff + i, operand(a, aOff, aStep, i).min(operand(b, bOff, bStep, i)));
        }
    }

    private static void reluGrad(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                                 MemorySegment b, long bOff, int bStep, int bound) {
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            VectorMask<Float> positive = operand(b, bOff, bStep, i).compare(VectorOperators.GT, 0f);
            store(out, outOff + i, zero.blend(operand(a, aOff, aStep, i), positive));
        }
    }

    // ------------------------------------------------------------------------------------ compare

    /**
     * {@code out[outOff + i] = a[aOff + i·aStep] op b[bOff + i·bStep] ? 1 : 0}, one byte per element
     * ({@code outOff} counts bytes), steps 0 or 1.
     */
    public static void compare(CompareOp op, MemorySegment out, long outOff,
                               MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        checkStep("aStep", aStep);
        checkStep("bStep", bStep);
        boolean simd = Simd.enabled();
        UnaryKernels.forEachChunk(n, (from, count) -> {
            long aFrom = aOff + (long) from * aStep;
            long bFrom = bOff + (long) from * bStep;
            if (simd) {
                compareSimd(op, out, outOff + from, a, aFrom, aStep, b, bFrom, bStep, count);
            } else {
                compareScalar(op, out, outOff + from, a, aFrom, aStep, b, bFrom, bStep, count);
            }
        });
    }

    /** Scalar reference of {@link #compare}: {@link CompareOp#test} element by element. */
    public static void compareScalar(CompareOp op, MemorySegment out, long outOff,
                                     MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        for (int i = 0; i < n; i++) {
            float x = a.getAtIndex(JAVA_FLOAT, aOff + (long) i * aStep);
            float y = b.getAtIndex(JAVA_FLOAT, bOff + (long) i * bStep);
            out.set(JAVA_BYTE, outOff + i, op.test(x, y) ? (byte) 1 : (byte) 0);
        }
    }

    /** Vector API version of {@link #compare}. */
    public static void compareSimd(CompareOp op, MemorySegment out, long outOff,
                                   MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        int bound = BYTE_SPECIES == null ? 0 : SPECIES.loopBound(n);
        // a > b is b < a and a ≥ b is b ≤ a, NaN included (all false): four loops cover six ops.
        switch (op) {
            case EQ -> equal(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case NE -> notEqual(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case LT -> less(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case LE -> lessOrEqual(out, outOff, a, aOff, aStep, b, bOff, bStep, bound);
            case GT -> less(out, outOff, b, bOff, bStep, a, aOff, aStep, bound);
            case GE -> lessOrEqual(out, outOff, b, bOff, bStep, a, aOff, aStep, bound);
        }
        compareScalar(op, out, outOff + bound,
                a, aOff + (long) bound * aStep, aStep, b, bOff + (long) bound * bStep, bStep, n - bound);
    }

    // The loops of compareSimd over [0, bound), bound a multiple of the lane count.

    private static void equal(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                              MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector x = operand(a, aOff, aStep, i);
            storeMask(out, outOff + i, x.compare(VectorOperators.EQ, operand(b, bOff, bStep, i)));
        }
    }

    private static void notEqual(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                                 MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector x = operand(a, aOff, aStep, i);
            storeMask(out, outOff + i, x.compare(VectorOperators.NE, operand(b, bOff, bStep, i)));
        }
    }

    private static void less(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                             MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector x = operand(a, aOff, aStep, i);
            storeMask(out, outOff + i, x.compare(VectorOperators.LT, operand(b, bOff, bStep, i)));
        }
    }

    private static void lessOrEqual(MemorySegment out, long outOff, MemorySegment a, long aOff, int aStep,
                                    MemorySegment b, long bOff, int bStep, int bound) {
        for (int i = 0; i < bound; i += SPECIES.length()) {
            FloatVector x = operand(a, aOff, aStep, i);
            storeMask(out, outOff + i, x.compare(VectorOperators.LE, operand(b, bOff, bStep, i)));
        }
    }

    /** Writes a mask as one byte per lane, 1 where set and 0 elsewhere. */
    private static void storeMask(MemorySegment out, long byteIndex, VectorMask<Float> mask) {
        ByteVector.zero(BYTE_SPECIES).blend((byte) 1, mask.cast(BYTE_SPECIES)).intoMemorySegment(out, byteIndex, ORDER);
    }

    // -------------------------------------------------------------------------------------- where

    /**
     * {@code out[outOff + i] = cond[condOff + i·condStep] != 0 ? a[aOff + i·aStep] : b[bOff + i·bStep]}
     * ({@code cond} holds one byte per element; {@code condOff} counts bytes), steps 0 or 1.
     */
    public static void where(MemorySegment out, long outOff, MemorySegment cond, long condOff, int condStep,
                             MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        checkStep("condStep", condStep);
        checkStep("aStep", aStep);
        checkStep("bStep", bStep);
        boolean simd = Simd.enabled();
        UnaryKernels.forEachChunk(n, (from, count) -> {
            long cFrom = condOff + (long) from * condStep;
            long aFrom = aOff + (long) from * aStep;
            long bFrom = bOff + (long) from * bStep;
            if (simd) {
                whereSimd(out, outOff + from, cond, cFrom, condStep, a, aFrom, aStep, b, bFrom, bStep, count);
            } else {
                whereScalar(out, outOff + from, cond, cFrom, condStep, a, aFrom, aStep, b, bFrom, bStep, count);
            }
        });
    }

    /** Scalar reference of {@link #where}. */
    public static void whereScalar(MemorySegment out, long outOff, MemorySegment cond, long condOff, int condStep,
                                   MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        for (int i = 0; i < n; i++) {
            boolean c = cond.get(JAVA_BYTE, condOff + (long) i * condStep) != 0;
            long from = c ? aOff + (long) i * aStep : bOff + (long) i * bStep;
            out.setAtIndex(JAVA_FLOAT, outOff + i, (c ? a : b).getAtIndex(JAVA_FLOAT, from));
        }
    }

    /** Vector API version of {@link #where}; exact. */
    public static void whereSimd(MemorySegment out, long outOff, MemorySegment cond, long condOff, int condStep,
                                 MemorySegment a, long aOff, int aStep, MemorySegment b, long bOff, int bStep, int n) {
        int bound = BYTE_SPECIES == null ? 0 : SPECIES.loopBound(n);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            ByteVector c = condStep == 0
                    ? ByteVector.broadcast(BYTE_SPECIES, cond.get(JAVA_BYTE, condOff))
                    : ByteVector.fromMemorySegment(BYTE_SPECIES, cond, condOff + i, ORDER);
            VectorMask<Float> takeA = c.compare(VectorOperators.NE, (byte) 0).cast(SPECIES);
            store(out, outOff + i, operand(b, bOff, bStep, i).blend(operand(a, aOff, aStep, i), takeA));
        }
        whereScalar(out, outOff + bound, cond, condOff + (long) bound * condStep, condStep,
                a, aOff + (long) bound * aStep, aStep, b, bOff + (long) bound * bStep, bStep, n - bound);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Lanes [i, i + lanes) of a row: loaded for step 1, the row's one element broadcast for step 0. */
    private static FloatVector operand(MemorySegment x, long xOff, int step, int i) {
        return step == 0
                ? FloatVector.broadcast(SPECIES, x.getAtIndex(JAVA_FLOAT, xOff))
                : FloatVector.fromMemorySegment(SPECIES, x, (xOff + i) * Float.BYTES, ORDER);
    }

    private static void store(MemorySegment out, long index, FloatVector v) {
        v.intoMemorySegment(out, index * Float.BYTES, ORDER);
    }

    private static void checkStep(String name, int step) {
        if (step != 0 && step != 1) {
            throw new IllegalArgumentException(name + " must be 0 (broadcast) or 1 (contiguous), got " + step);
        }
    }
}
