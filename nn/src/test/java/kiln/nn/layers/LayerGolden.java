package kiln.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kiln.engine.MemoryScope;
import kiln.engine.Tensor;
import kiln.nn.Golden;
import kiln.nn.Module;
import kiln.nn.Parameter;

/**
 * Runs one layer case of tools/reference/make_goldens.py: loads PyTorch's parameters into the
 * module (whose state dict must have PyTorch's names in PyTorch's order), runs forward in the
 * module's current mode (train or eval) on the stored input, back-propagates the stored upstream gradient, and
 * compares output, input gradient and every parameter gradient with PyTorch's.
 */
final class LayerGolden {
    private LayerGolden() {}

    /**
     * @param tolerance absolute and relative tolerance: float32 results computed in a different order
     *                  of summation than PyTorch's differ by a few ulps per accumulated term
     */
    static void check(String file, Module module, double tolerance) {
        Golden golden = Golden.load("/golden/layers/" + file);
        try (MemoryScope scope = MemoryScope.open()) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String name : golden.names()) {
                if (name.startsWith("param.")) {
                    state.put(name.substring("param.".length()), golden.tensor(name));
                }
            }
            assertEquals(List.copyOf(state.keySet()), List.copyOf(module.stateDict().keySet()), file + ": state dict names in PyTorch's order");
            module.loadStateDict(state);
            Tensor input = golden.tensor("input");
            boolean differentiableInput = input.dtype().isFloatingPoint();
            if (differentiableInput) {
                input.requiresGrad(true);
            }
            Tensor output = module.forward(input);
            assertClose(file + " output", golden.tensor("output"), output, tolerance);
            if (output.requiresGrad()) {
                output.backward(golden.tensor("upstream"));
            }
            if (differentiableInput && golden.has("grad.input")) {
                assertClose(file + " grad.input", golden.tensor("grad.input"), input.grad(), tolerance);
            }
            for (Map.Entry<String, Parameter> p : module.namedParameters().entrySet()) {
                String key = "grad." + p.getKey();
                if (golden.has(key)) {
                    assertClose(file + " " + key, golden.tensor(key), p.getValue().grad(), tolerance);
                }
            }
            for (Map.Entry<String, Tensor> b : module.namedBuffers().entrySet()) {
                String key = "after." + b.getKey();
                if (golden.has(key)) {
                    assertClose(file + " " + key, golden.tensor(key), b.getValue(), tolerance);
                }
            }
            input.setGrad(null);
        }
    }

    /** |actual − expected| ≤ tolerance·(1 + |expected|) elementwise, with the first offender named. */
    static void assertClose(String what, Tensor expected, Tensor actual, double tolerance) {
        if (actual == null) {
            throw new AssertionError(what + ": no value (gradient missing?)");
        }
        assertArrayEquals(expected.dims(), actual.dims(), what + ": shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tolerance * (1 + Math.abs(e[i])), what + " at flat index " + i);
        }
    }
}
