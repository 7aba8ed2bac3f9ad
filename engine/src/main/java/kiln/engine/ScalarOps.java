package kiln.engine;

import kiln.kernels.cpu.BinaryOp;
import kiln.kernels.cpu.CompareOp;
import kiln.kernels.cpu.UnaryOp;

/**
 * The elementwise formulas for the dtypes that have no SIMD kernel: float64 (in double) and the
 * integer types (in long, wrapping like two's-complement C and PyTorch). float32 has its own
 * scalar references beside its Vector API kernels in {@code kiln.kernels.cpu}.
 */
final class ScalarOps {
    private ScalarOps() {}

    static double unary(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : (Double.isNaN(x) ? x : 0.0);
            // 1 + erf(x/√2) written as erfc(−x/√2): for x ≪ 0 the sum cancels to nothing (gelu(−10) would be 0).
            case GELU -> 0.5 * x * erfc(-x / Math.sqrt(2.0));
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
        };
    }

    /** NEG, ABS and RELU, the unary ops that integers keep (the others promote to float). */
    static long unary(UnaryOp op, long x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case RELU -> Math.max(x, 0);
            default -> throw new IllegalArgumentException(op + " is not an integer op");
        };
    }

    static double binary(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAX -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MIN -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case RELU_GRAD -> b > 0 ? a : 0;
        };
    }

    static long binary(BinaryOp op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> throw new IllegalArgumentException("integer division is promoted to float32 before it gets here");
            case POW -> integerPower(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case RELU_GRAD -> b > 0 ? a : 0;
        };
    }

    /** a^b by repeated squaring, wrapping on overflow; a negative b is refused as in PyTorch. */
    private static long integerPower(long base, long exponent) {
        if (exponent < 0) {
            throw new IllegalArgumentException("pow: integers to negative integer powers are not allowed (exponent "
                    + exponent + "); convert to float first");
        }
        long result = 1;
        while (exponent > 0) {
            if ((exponent & 1) != 0) {
                result *= base;
            }
            base *= base;
            exponent >>= 1;
        }
        return result;
    }

    /** a op b for floating values: every comparison with NaN is false but "not equal". */
    static boolean compare(CompareOp op, double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return op == CompareOp.NE;
        }
        return holds(op, a < b ? -1 : a > b ? 1 : 0);   // not Double.compare: IEEE has -0.0 == 0.0
    }

    static boolean compare(CompareOp op, long a, long b) {
        return holds(op, Long.compare(a, b));
    }

    /** Whether {@code op} holds between two values whose order is {@code sign} (negative, zero, positive). */
    private static boolean holds(CompareOp op, int sign) {
        return switch (op) {
            case EQ -> sign == 0;
            case NE -> sign != 0;
            case LT -> sign < 0;
            case LE -> sign <= 0;
            case GT -> sign > 0;
            case GE -> sign >= 0;
        };
    }

    /**
     * The error function to double precision: its Maclaurin series near zero, where it converges fast
     * (Abramowitz and Stegun 7.1.5), and 1 − {@link #erfc} further out.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double z = Math.abs(x);
        double result;
        if (z < 2.5) {
            // erf(z) = 2/sqrt(pi) * sum_n (-1)^n z^(2n+1) / (n! (2n+1))
            double term = z;
            double sum = z;
            for (int n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -z * z / n;
                sum += term / (2 * n + 1);
            }
            result = 2.0 / Math.sqrt(Math.PI) * sum;
        } else {
            result = 1.0 - erfc(z);
        }
        return x < 0 ? -result : result;
    }

    /**
     * The complementary error function 1 − erf(x), to a small relative error even where it is tiny
     * (x ≫ 0), which 1 − erf(x) computed as a difference cannot give: below 2.5 it is that difference
     * (erfc(2.5) ≈ 4e-4, so relative errors reach 2e-11 just below 2.5); from 2.5 on, the continued
     * fraction of A&amp;S 7.1.14, evaluated from the tail (relative error below 1e-13 until erfc
     * underflows near x = 26.5).
     */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x < 2.5) {
            return 1.0 - erf(x);
        }
        // erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...)))))
        double fraction = x;
        for (int k = 60; k >= 1; k--) {
            fraction = x + (k / 2.0) / fraction;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
    }
}
