package kiln.nn.optim;

/**
 * Argument checks for optimizers and schedulers. Every message names the owner, the argument and the
 * bad value, e.g. {@code "Adam: lr must be >= 0, got -1.0"}. NaN fails every check, since each
 * condition is written so that NaN makes it false.
 */
final class Check {
    private Check() {}

    /** Throws unless {@code ok}; the message reads "owner: name must be rule, got value". */
    static void require(boolean ok, String owner, String name, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(owner + ": " + name + " must be " + rule + ", got " + value);
        }
    }

    /** value ≥ 0 and finite: learning rates, weight decays, epsilons, momenta. */
    static double nonNegative(String owner, String name, double value) {
        require(value >= 0 && value < Double.POSITIVE_INFINITY, owner, name, ">= 0", value);
        return value;
    }

    /** 0 ≤ value < 1: decay rates such as Adam's betas and RMSprop's alpha. */
    static double unitInterval(String owner, String name, double value) {
        require(value >= 0 && value < 1, owner, name, "in [0, 1)", value);
        return value;
    }

    /** value > 0 and finite. */
    static double positive(String owner, String name, double value) {
        require(value > 0 && value < Double.POSITIVE_INFINITY, owner, name, "> 0", value);
        return value;
    }

    static int positive(String owner, String name, int value) {
        require(value > 0, owner, name, "> 0", value);
        return value;
    }

    static int nonNegative(String owner, String name, int value) {
        require(value >= 0, owner, name, ">= 0", value);
        return value;
    }
}
