package kiln.nn.loss;

import kiln.engine.Tensor;

/** Argument checks shared by the losses; every message names the loss and the shapes involved. */
final class Inputs {
    private Inputs() {}

    /**
     * Checks the operands of an elementwise loss (floating point, the same shape) and returns the
     * target in the prediction's dtype.
     */
    static Tensor elementwise(String loss, Tensor prediction, Tensor target) {
        requireFloat(loss, "prediction", prediction);
        requireFloat(loss, "target", target);
        if (!target.shape().equals(prediction.shape())) {
            throw new IllegalArgumentException(loss + ": target " + target.shape() + " must have the shape of prediction "
                    + prediction.shape());
        }
        return inDtypeOf(prediction, target);
    }

    static void requireFloat(String loss, String role, Tensor t) {
        requireNonNull(loss, role, t);
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(loss + ": " + role + " must be floating point, got " + t.describe());
        }
    }

    static void requireNonNull(String loss, String role, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(loss + ": " + role + " is null");
        }
    }

    /** Checks an optional weight tensor: floating point and broadcastable to the prediction's shape. */
    static void requireBroadcastable(String loss, String role, Tensor weight, Tensor prediction) {
        requireFloat(loss, role, weight);
        int extra = prediction.rank() - weight.rank();
        boolean fits = extra >= 0;
        for (int axis = 0; fits && axis < weight.rank(); axis++) {
            fits = weight.dim(axis) == 1 || weight.dim(axis) == prediction.dim(extra + axis);
        }
        if (!fits) {
            throw new IllegalArgumentException(loss + ": " + role + " " + weight.shape()
                    + " does not broadcast to the prediction's shape " + prediction.shape());
        }
    }

    /** {@code values·weight} after checking that the weight broadcasts to the prediction; {@code values} when weight is null. */
    static Tensor weighted(String loss, Tensor values, Tensor weight, Tensor prediction) {
        if (weight == null) {
            return values;
        }
        requireBroadcastable(loss, "weight", weight, prediction);
        return values.mul(inDtypeOf(prediction, weight));
    }

    /** {@code t} converted (differentiably) to the prediction's dtype, or {@code t} itself when it has it. */
    static Tensor inDtypeOf(Tensor prediction, Tensor t) {
        return t.dtype() == prediction.dtype() ? t : t.to(prediction.dtype());
    }
}
