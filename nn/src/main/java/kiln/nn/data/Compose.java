package kiln.nn.data;

import java.util.List;

import kiln.engine.Generator;

/** Several transforms applied one after another, in the given order, all drawing from the same generator. */
public final class Compose implements BatchTransform {
    private final List<BatchTransform> transforms;

    public Compose(BatchTransform... transforms) {
        this.transforms = List.of(transforms);   // refuses null entries
    }

    @Override
    public Batch apply(Batch batch, Generator rng) {
        Batch current = batch;
        for (BatchTransform transform : transforms) {
            current = transform.apply(current, rng);
        }
        return current;
    }

    @Override
    public String toString() {
        return "Compose" + transforms;
    }
}
