package kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import kiln.engine.DType;
import kiln.engine.MemoryScope;
import kiln.engine.Tensor;

/** The golden-file reader: shapes, dtypes, exact values, and errors that name the file and entry. */
class GoldenTest {

    @Test
    void linearOutputAndWeightGradientMatchPlainLoops() {
        Golden g = Golden.load("/golden/layers/linear.txt");
        assertArrayEquals(new int[] {4, 3}, g.dims("output"));
        float[] x = g.floats("input"), w = g.floats("param.weight"), b = g.floats("param.bias");
        float[] y = g.floats("output"), up = g.floats("upstream"), gw = g.floats("grad.weight");
        for (int n = 0; n < 4; n++) {
            for (int o = 0; o < 3; o++) {
                double acc = b[o];
                for (int i = 0; i < 5; i++) acc += (double) x[n * 5 + i] * w[o * 5 + i];
                assertEquals(y[n * 3 + o], acc, 1e-6, "output[" + n + "][" + o + "]");
            }
        }
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 5; i++) {
                double acc = 0;
                for (int n = 0; n < 4; n++) acc += (double) up[n * 3 + o] * x[n * 5 + i];
                assertEquals(gw[o * 5 + i], acc, 1e-6, "grad.weight[" + o + "][" + i + "]");
            }
        }
    }

    @Test
    void tensorsHaveTheFilesDtypeShapeAndExactValues() {
        Golden g = Golden.load("/golden/layers/linear.txt");
        assertTrue(g.description().startsWith("layers/linear; Linear(in=5,out=3,bias=True)"));
        assertTrue(g.has("grad.bias") && !g.has("grad.nothing"));
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x = g.tensor("input");
            assertEquals(DType.FLOAT32, x.dtype());
            assertArrayEquals(new int[] {4, 5}, x.dims());
            assertEquals(0.6995424032211304f, x.toFloatArray()[0]); // the script's first value, bit-exact
            Golden bn = Golden.load("/golden/layers/batchnorm1d_train.txt");
            Tensor steps = bn.tensor("after.num_batches_tracked");
            assertEquals(DType.INT64, steps.dtype());
            assertEquals(0, steps.rank());
            assertArrayEquals(new long[] {1}, steps.toLongArray());
        }
        Golden sgd = Golden.load("/golden/optim/sgd.txt");
        assertTrue(sgd.value("loss.0") > sgd.value("loss.19"), "SGD lowers the loss");
        assertEquals(3 * 4, sgd.floats("W.19").length);
    }

    @Test
    void everyGoldenFileParses() throws Exception {
        Path root = Path.of(GoldenTest.class.getResource("/golden").toURI());
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".txt")).toList();
            assertTrue(all.size() > 60, "found " + all.size() + " golden files");
            for (Path p : all) {
                Golden g = Golden.load("/golden/" + root.relativize(p).toString().replace('\\', '/'));
                assertTrue(!g.names().isEmpty(), g.toString());
            }
        }
    }

    @Test
    void missingEntriesAndFilesAreNamed() {
        Golden g = Golden.load("/golden/layers/linear.txt");
        var e = assertThrows(IllegalArgumentException.class, () -> g.tensor("param.gamma"));
        assertTrue(e.getMessage().contains("/golden/layers/linear.txt") && e.getMessage().contains("param.gamma"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> Golden.load("/golden/no/such.txt"));
        assertTrue(f.getMessage().contains("/golden/no/such.txt"), f.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.longs("input"));
    }
}
