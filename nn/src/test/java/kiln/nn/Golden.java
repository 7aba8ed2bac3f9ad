package kiln.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import kiln.engine.Tensor;

/**
 * One golden reference file written by {@code tools/reference/make_goldens.py} (PyTorch 1.13), read from
 * the test classpath. Format, "kiln golden v1":
 * <pre>
 * # kiln golden v1: &lt;case&gt;; &lt;config&gt;
 * tensor &lt;name&gt; &lt;f32|f64|i64&gt; &lt;dims joined by 'x' | scalar&gt;
 * &lt;all values on one line, row-major, space separated&gt;
 * value &lt;name&gt; &lt;number&gt;
 * </pre>
 * Floats are written as the shortest decimal of the exact float32/float64 value, so they parse back
 * bit-exactly. Entries keep file order.
 */
public final class Golden {
    /** One entry: dtype "f32", "f64", "i64" or "value"; dims empty for a scalar; numbers as parsed. */
    private record Entry(String dtype, int[] dims, double[] reals, long[] ints) {}

    private final String file;
    private final String description;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private Golden(String file, String text) {
        this.file = file;
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].startsWith("# kiln golden v1:")) throw bad(1, "missing '# kiln golden v1:' header");
        this.description = lines[0].substring("# kiln golden v1:".length()).trim();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split(" ");
            if (f[0].equals("value") && f.length == 3) {
                put(i + 1, f[1], new Entry("value", new int[0], new double[] {number(f[2])}, null));
            } else if (f[0].equals("tensor") && f.length == 4) {
                int[] dims = f[3].equals("scalar") ? new int[0] : Arrays.stream(f[3].split("x")).mapToInt(Integer::parseInt).toArray();
                long count = Arrays.stream(dims).asLongStream().reduce(1, Math::multiplyExact);
                if (++i >= lines.length) throw bad(i, "tensor " + f[1] + " has no values line");
                String[] v = lines[i].isBlank() ? new String[0] : lines[i].strip().split(" ");
                if (v.length != count) throw bad(i + 1, "tensor " + f[1] + " of shape " + f[3] + " has " + v.length + " values, expected " + count);
                switch (f[2]) {
                    case "f32", "f64" -> put(i, f[1], new Entry(f[2], dims, Arrays.stream(v).mapToDouble(Golden::number).toArray(), null));
                    case "i64" -> put(i, f[1], new Entry(f[2], dims, null, Arrays.stream(v).mapToLong(Long::parseLong).toArray()));
                    default -> throw bad(i, "unknown dtype '" + f[2] + "' for tensor " + f[1]);
                }
            } else {
                throw bad(i + 1, "cannot parse '" + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "'");
            }
        }
    }

    /** Loads a file from the classpath, e.g. {@code Golden.load("/golden/layers/linear.txt")}. */
    public static Golden load(String resourcePath) {
        try (InputStream in = Golden.class.getResourceAsStream(resourcePath)) {
            if (in == null) throw new IllegalArgumentException("golden file " + resourcePath + " is not on the classpath");
            return new Golden(resourcePath, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("golden file " + resourcePath + ": " + e.getMessage(), e);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("golden file " + resourcePath + " is malformed: " + e.getMessage(), e);
        }
    }

    /** A new tensor of the entry's dtype (FLOAT32, FLOAT64 or INT64) and shape; the caller owns it. */
    public Tensor tensor(String name) {
        Entry e = entry(name, true);
        return switch (e.dtype) {
            case "f32" -> Tensor.fromArray(floats(name), e.dims);
            case "f64" -> Tensor.fromArray(e.reals.clone(), e.dims);
            default -> Tensor.fromArray(e.ints.clone(), e.dims);
        };
    }

    /** A {@code value} line, or the single element of a scalar (or one-element) floating tensor. */
    public double value(String name) {
        Entry e = entry(name, false);
        if (e.reals == null || e.reals.length != 1) throw new IllegalArgumentException(where(name) + " is not a single floating-point number");
        return e.reals[0];
    }

    /** The values of a floating tensor as float32 (exact for f32 entries). */
    public float[] floats(String name) {
        double[] d = doubles(name);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** The values of a floating tensor, row-major. */
    public double[] doubles(String name) {
        Entry e = entry(name, true);
        if (e.reals == null) throw new IllegalArgumentException(where(name) + " is " + e.dtype + ", not floating point");
        return e.reals.clone();
    }

    /** The values of an i64 tensor, row-major. */
    public long[] longs(String name) {
        Entry e = entry(name, true);
        if (e.ints == null) throw new IllegalArgumentException(where(name) + " is " + e.dtype + ", not i64");
        return e.ints.clone();
    }

    /** The dimensions of a tensor entry ({@code {}} for a scalar). */
    public int[] dims(String name) { return entry(name, true).dims.clone(); }

    public Set<String> names() { return Collections.unmodifiableSet(entries.keySet()); }

    public boolean has(String name) { return entries.containsKey(name); }

    /** The header after "kiln golden v1:", e.g. "layers/linear; Linear(in=5,out=3,bias=True) ...". */
    public String description() { return description; }

    @Override
    public String toString() { return "Golden[" + file + ": " + entries.size() + " entries]"; }

    private Entry entry(String name, boolean tensor) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException(where(name) + " does not exist; entries: " + entries.keySet());
        if (tensor && e.dtype.equals("value")) throw new IllegalArgumentException(where(name) + " is a value line, not a tensor");
        return e;
    }

    private void put(int line, String name, Entry e) {
        if (entries.putIfAbsent(name, e) != null) throw bad(line, "entry '" + name + "' appears twice");
    }

    private static double number(String s) {
        return switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private String where(String name) { return "golden file " + file + ": entry '" + name + "'"; }

    private IllegalArgumentException bad(int line, String what) {
        return new IllegalArgumentException("golden file " + file + " line " + line + ": " + what);
    }
}
