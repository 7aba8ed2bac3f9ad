package kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kiln.engine.Generator;

/**
 * The hyperparameters a search varies and the values each may take ({@link Domain}); the others keep
 * the base recipe's values. Given by options ({@code --lr 1e-4,1e-3}) or a spec file, one
 * {@code name = values} per line, {@code #} starting a comment:
 *
 * <pre>
 * # space.txt
 * lr           = loguniform(1e-4, 1e-2)
 * batch        = 64, 128, 256
 * width        = 0.5, 1, 2
 * weight-decay = 0, 1e-4
 * dropout      = uniform(0, 0.3)
 * </pre>
 */
record SearchSpace(Map<Hyperparameter, Domain> domains) {

    /** What {@code kiln tune} searches when given no space: 108 points, small enough to enumerate with grid search. */
    static final SearchSpace DEFAULT = new SearchSpace(Map.of(
            Hyperparameter.LR, new Domain.Choice(List.of(3e-4, 1e-3, 3e-3)),
            Hyperparameter.BATCH, new Domain.Choice(List.of(64.0, 128.0, 256.0)),
            Hyperparameter.WIDTH, new Domain.Choice(List.of(0.5, 1.0, 2.0)),
            Hyperparameter.WEIGHT_DECAY, new Domain.Choice(List.of(0.0, 1e-4)),
            Hyperparameter.DROPOUT, new Domain.Choice(List.of(0.0, 0.2))));

    /** Keeps the domains in the hyperparameters' order (lr, batch, width, weight-decay, dropout), whatever order they came in. */
    SearchSpace {
        Map<Hyperparameter, Domain> ordered = new EnumMap<>(Hyperparameter.class);
        ordered.putAll(domains);
        domains = Collections.unmodifiableMap(ordered);
    }

    /** No hyperparameter given yet. */
    static SearchSpace empty() {
        return new SearchSpace(Map.of());
    }

    /** This space with {@code h} taking {@code domain} (replacing what it took). */
    SearchSpace with(Hyperparameter h, Domain domain) {
        Map<Hyperparameter, Domain> more = new HashMap<>(domains);
        more.put(h, domain);
        return new SearchSpace(more);
    }

    /**
     * Reads a spec file. Each problem is refused with an IllegalArgumentException naming the file and the
     * line: a line that is not {@code name = values}, an unknown name, a name given twice, a bad value.
     */
    static SearchSpace read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": no such spec file");
        } catch (IOException e) {                  // a folder, no permission, bytes that are not UTF-8
            throw new IOException(file + ": cannot read the spec file (" + e + ")", e);
        }
        SearchSpace space = empty();
        for (int i = 0; i < lines.size(); i++) {
            String where = file + ":" + (i + 1) + ":";
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (content.isEmpty()) {
                continue;
            }
            int eq = content.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(where + " expected 'name = values', got '" + content + "'");
            }
            String name = content.substring(0, eq).strip();
            Hyperparameter h = Hyperparameter.named(name);
            if (h == null) {
                throw new IllegalArgumentException(where + " unknown hyperparameter '" + name + "' (known: " + Hyperparameter.names() + ")");
            }
            if (space.domains.containsKey(h)) {
                throw new IllegalArgumentException(where + " " + name + " is given twice");
            }
            space = space.with(h, Domain.parse(h, content.substring(eq + 1), where + " " + name));
        }
        if (space.domains.isEmpty()) {
            throw new IllegalArgumentException(file + ": the spec file names no hyperparameter (lines like 'lr = 1e-4, 1e-3')");
        }
        return space;
    }

    /** Every combination of the lists, the first hyperparameter varying slowest; refuses a range. */
    List<Recipe> grid(Recipe base) {
        List<Recipe> points = List.of(base);
        for (Map.Entry<Hyperparameter, Domain> entry : domains.entrySet()) {
            List<Recipe> longer = new ArrayList<>();
            for (Recipe point : points) {
                for (double value : entry.getValue().values(entry.getKey())) {
                    longer.add(point.with(point.hyper().with(entry.getKey(), value)));
                }
            }
            points = longer;
        }
        return points;
    }

    /**
     * {@code n} distinct recipes drawn from the space (each hyperparameter independently), none equal to
     * {@code base} (the default trial, run anyway); fewer when the space holds fewer points than that: all
     * of a small list-only space, or as many as 100 draws per point found of ranges so narrow that their
     * rounded draws repeat. Deterministic for a generator's seed.
     */
    List<Recipe> sample(Recipe base, int n, Generator rng) {
        boolean finite = domains.values().stream().allMatch(d -> d instanceof Domain.Choice);
        if (finite) {
            List<Recipe> all = new ArrayList<>(grid(base));
            all.remove(base);
            if (all.size() <= n) {
                return all;
            }
        }
        Set<Recipe> drawn = new LinkedHashSet<>();
        for (int draws = 0; drawn.size() < n && draws < 100 * n; draws++) {
            Hyperparameters h = base.hyper();
            for (Map.Entry<Hyperparameter, Domain> entry : domains.entrySet()) {
                h = h.with(entry.getKey(), entry.getValue().sample(rng));
            }
            Recipe point = base.with(h);
            if (!point.equals(base)) {
                drawn.add(point);
            }
        }
        return List.copyOf(drawn);
    }

    /** "lr=3e-4,1e-3 batch=64,128", for messages. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        domains.forEach((h, d) -> parts.add(h.option() + "=" + d));
        return String.join(" ", parts);
    }
}
