package kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.Generator;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.layers.Activation;
import kiln.nn.layers.Linear;
import kiln.nn.layers.Sequential;

/** Module.to(dtype): every floating-point parameter of the tree is converted, keeping values, names and frozen state. */
class ModuleToTest {

    @Test
    void convertsTheWholeTreeKeepingValuesAndFrozenState() {
        try (MemoryScope scope = MemoryScope.open();
             Sequential model = new Sequential(new Linear(3, 4, new Generator(1)), Activation.relu(), new Linear(4, 2, new Generator(2)))) {
            Parameter first = model.namedParameters().get("0.weight");
            float[] before = first.value().toFloatArray();
            model.get(2).setFrozen(true);
            model.forward(Tensor.ones(1, 3)).sum().backward();
            assertSame(model, model.to(DType.FLOAT64));
            model.namedParameters().forEach((name, p) -> assertEquals(DType.FLOAT64, p.value().dtype(), name));
            assertSame(first, model.namedParameters().get("0.weight"), "the Parameter objects stay (optimizers hold them)");
            double[] after = first.value().toDoubleArray();
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i], after[i], 0, "float32 values are exact in float64");
            }
            assertNull(first.grad(), "the float32 gradient is dropped");
            assertTrue(!first.isFrozen() && model.namedParameters().get("2.bias").isFrozen());
            Tensor y = model.forward(Tensor.ones(DType.FLOAT64, 1, 3));
            assertEquals(DType.FLOAT64, y.dtype());
            y.sum().backward();
            assertEquals(DType.FLOAT64, first.grad().dtype());
            assertArrayEquals(new int[] {4, 3}, first.grad().dims());
        }
    }

    @Test
    void refusesIntegerTypes() {
        try (Linear linear = new Linear(2, 2, new Generator(3))) {
            var e = assertThrows(IllegalArgumentException.class, () -> linear.to(DType.INT64));
            assertEquals("Linear.to: needs a floating-point dtype, got int64", e.getMessage());
        }
    }
}
