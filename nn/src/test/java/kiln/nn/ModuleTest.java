package kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kiln.engine.Generator;
import kiln.engine.Tensor;
import kiln.nn.layers.Linear;

/** The module tree: names, sharing, loading and freezing. */
class ModuleTest {
    /** Two layers tied to one weight, as a language model ties its embedding and its output layer. */
    private static final class Tied extends Module {
        private final Linear encoder;

        Tied(Generator rng) {
            encoder = registerModule("encoder", new Linear(3, 3, false, rng));
            registerModule("decoder", new Module() {
                {
                    registerParameter("weight", encoder.weight());
                }

                @Override
                public Tensor forward(Tensor x) {
                    return x;
                }
            });
        }

        @Override
        public Tensor forward(Tensor x) {
            return encoder.forward(x);
        }
    }

    @Test
    void aTiedParameterHasTwoNamesButIsListedOnce() {
        try (Tied model = new Tied(new Generator(1))) {
            Map<String, Parameter> named = model.namedParameters();
            assertEquals(List.of("encoder.weight", "decoder.weight"), List.copyOf(named.keySet()));
            assertSame(named.get("encoder.weight"), named.get("decoder.weight"));
            assertEquals(1, model.parameters().size(), "an optimizer must update a tied weight once per step");
        }
    }

    @Test
    void loadStateDictListsEveryProblem() {
        Generator rng = new Generator(2);
        try (Linear layer = new Linear(4, 2, rng)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer.loadStateDict(Map.of("weight", Tensor.zeros(2, 5), "extra", Tensor.zeros(1))));
            assertTrue(e.getMessage().contains("missing 'bias'"), e.getMessage());
            assertTrue(e.getMessage().contains("'weight' has shape [2, 5], the module expects [2, 4]"), e.getMessage());
            assertTrue(e.getMessage().contains("unexpected 'extra'"), e.getMessage());
        }
    }

    @Test
    void freezingStopsGradients() {
        Generator rng = new Generator(3);
        try (Linear layer = new Linear(2, 2, rng)) {
            layer.setFrozen(true);
            Tensor y = layer.forward(Tensor.ones(1, 2));
            assertTrue(!y.requiresGrad(), "nothing to differentiate once every parameter is frozen");
            layer.setFrozen(false);
            layer.forward(Tensor.ones(1, 2)).sum().backward();
            assertTrue(layer.weight().grad() != null);
        }
    }
}
