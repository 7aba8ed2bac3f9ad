package kiln.nn.train;

/**
 * Training produced NaN or infinity. The message says when (epoch and step) and where: the first layer
 * whose output, or the first parameter whose value or gradient, was not finite.
 */
public final class NonFiniteLossException extends RuntimeException {
    private final int epoch;
    private final long step;
    private final String location;

    NonFiniteLossException(int epoch, long step, String what, String location) {
        super("training diverged at epoch " + epoch + ", step " + step + ": " + what + " (" + location + ")."
                + " Try a smaller learning rate, gradient clipping (--clip), or check the input data for NaN");
        this.epoch = epoch;
        this.step = step;
        this.location = location;
    }

    public int epoch() { return epoch; }

    /** The optimizer step (counted from 1 over the whole run) that failed. */
    public long step() { return step; }

    /** The layer or parameter found first to hold a non-finite value. */
    public String location() { return location; }
}
