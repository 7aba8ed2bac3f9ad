package kiln.nn.optim;

/**
 * Changes an optimizer's learning rate as training goes. Call {@link #step()} once after each
 * {@code optimizer.step()} (or once per epoch, for schedules counted in epochs):
 *
 * <pre>{@code
 * for (...) { ...; optimizer.step(); scheduler.step(); }
 * }</pre>
 *
 * {@link ReduceLROnPlateau} is not one: it steps on a metric, not on a count.
 */
public interface LrScheduler {
    /** Advances the schedule by one step and sets the optimizer's learning rates for the next one. */
    void step();

    /** The learning rate now in use (of the optimizer's first group). */
    double lr();
}
