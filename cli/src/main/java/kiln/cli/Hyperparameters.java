package kiln.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The values of the five tunable knobs of one training run ({@link Hyperparameter}).
 *
 * @param lr          the learning rate (the peak of the schedule)
 * @param batch       examples per optimizer step
 * @param width       multiplier of the model's hidden sizes (1: the model as named)
 * @param weightDecay the optimizer's weight decay
 * @param dropout     probability of the Dropout layers (0: none)
 */
record Hyperparameters(double lr, int batch, double width, double weightDecay, double dropout) {

    /** kiln train's defaults: lr 1e-3, batch 128, width 1, no dropout; weight decay 0.01 for AdamW, else 0. */
    static Hyperparameters defaults(String optimizer) {
        return new Hyperparameters(1e-3, 128, 1, optimizer.equals("adamw") ? 0.01 : 0, 0);
    }

    /** The value of {@code h}. */
    double get(Hyperparameter h) {
        return switch (h) {
            case LR -> lr;
            case BATCH -> batch;
            case WIDTH -> width;
            case WEIGHT_DECAY -> weightDecay;
            case DROPOUT -> dropout;
        };
    }

    /** A copy with {@code h} set to {@code value} (checked against h's range). */
    Hyperparameters with(Hyperparameter h, double value) {
        h.check(value, h.option());
        return switch (h) {
            case LR -> new Hyperparameters(value, batch, width, weightDecay, dropout);
            case BATCH -> new Hyperparameters(lr, (int) value, width, weightDecay, dropout);
            case WIDTH -> new Hyperparameters(lr, batch, value, weightDecay, dropout);
            case WEIGHT_DECAY -> new Hyperparameters(lr, batch, width, value, dropout);
            case DROPOUT -> new Hyperparameters(lr, batch, width, weightDecay, value);
        };
    }

    /** The options that set these values, e.g. ["--lr", "0.001", "--batch", "128", ...]. */
    List<String> arguments() {
        List<String> args = new ArrayList<>();
        for (Hyperparameter h : Hyperparameter.values()) {
            args.add("--" + h.option());
            args.add(Hyperparameter.format(get(h)));
        }
        return args;
    }
}
