package kiln.nn.optim;

import java.util.Arrays;

/**
 * Multiplies the learning rate by γ at each milestone, as PyTorch's {@code MultiStepLR}:
 * lr(t) = lr₀ · γ^(number of milestones ≤ t). A milestone listed twice counts twice, as in PyTorch.
 */
public final class MultiStepLR extends ClosedFormScheduler {
    /** @param milestones step numbers, positive and in non-decreasing order */
    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        int[] sorted = milestones.clone();
        for (int i = 0; i < sorted.length; i++) {
            Check.positive("MultiStepLR", "milestones[" + i + "]", sorted[i]);
            Check.require(i == 0 || sorted[i] >= sorted[i - 1], "MultiStepLR", "milestones", "in non-decreasing order", Arrays.toString(sorted));
        }
        Check.positive("MultiStepLR", "gamma", gamma);
        super(optimizer, (lr0, t) -> lr0 * Math.pow(gamma, Arrays.stream(sorted).filter(m -> m <= t).count()));
    }
}
