package kiln.nn.data;

import kiln.engine.Generator;

/**
 * A change applied to every training batch as it is loaded, such as an augmentation.
 *
 * <p>The transform takes ownership of {@code batch}: it returns either the same batch (changed in place)
 * or a new one, in which case it closes the one it was given. Randomness comes only from {@code rng},
 * which the {@link DataLoader} derives from its seed, the epoch and the batch's position, so a run is the
 * same whichever thread loads the batch.
 */
@FunctionalInterface
public interface BatchTransform {
    Batch apply(Batch batch, Generator rng);
}
