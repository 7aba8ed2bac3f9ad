package kiln.bench.compare;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import kiln.nn.io.Json;

/**
 * The comparison printed two ways: a Markdown table with a header saying when, where and how it was
 * measured (ready to paste into {@code bench/RESULTS.md}), or JSON lines, one object per row, for
 * machines.
 */
final class RatioTable {
    static final String COLUMNS = "| suite | what | threads | unit | Kiln min / median / max | peer | peer min / median / max"
            + " | Kiln speed ÷ peer speed | target | met | note |";
    private static final String ALIGNMENT = "|---|---|---:|---|---:|---|---:|---:|---|---|---|";
    private static final String NONE = "—";
    /** A 1-minute load average from which the header warns that the figures are noisy. */
    static final double BUSY_LOAD = 0.5;

    private RatioTable() {}

    /** The header, the table and a count of the targets met, in Markdown. */
    static String markdown(RunInfo run, List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append("### `").append(run.command()).append("`, ")
                .append(run.start().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT))).append("\n\n");
        md.append(String.format(Locale.ROOT, "- Machine: %s; load average %.2f before the run (%.2f at its end, its own work"
                + " included); the run took %s.%n",
                run.machine(), run.loadBefore(), run.loadAfter(), duration(run.duration().toSeconds())));
        if (run.loadBefore() >= BUSY_LOAD) {
            md.append(String.format(Locale.ROOT, "- **The machine was busy** (load average %.2f at the start): the figures are noisy;"
                    + " re-run on a quiet machine before quoting them.%n", run.loadBefore()));
        }
        md.append(run.forked() ? "- Kiln: each suite in a fresh JVM, " : "- Kiln: timed in the command's JVM, ").append(run.timing())
                .append("; train: seconds per epoch over the epochs after the first (the first holds the JIT's warm-up).\n");
        md.append(run.peersRan()
                ? "- Peers: `../shared/peers`, run by " + run.peers() + " right after Kiln on the same threads; each waits for a quiet"
                        + " machine, then times as its script says. Setting in the peer column: OpenBLAS on every thread for SGEMM"
                        + " (its best), OpenMP T with OpenBLAS 1 for PyTorch's other work (its fair setting: both pools at 2 fight"
                        + " over 2 cores).\n"
                : "- Peers: not run (" + run.peers() + "); Kiln's figures alone.\n");
        md.append("- Kiln speed ÷ peer speed: from the medians (for times: peer time ÷ Kiln time); above 1, Kiln is faster."
                + " Targets: issue 6's floors, checked on the medians (↑: higher is better, ↓: lower is better).\n\n");
        md.append(COLUMNS).append('\n').append(ALIGNMENT).append('\n');
        for (Row row : rows) {
            md.append(markdownRow(row)).append('\n');
        }
        md.append('\n').append(targetCount(rows)).append('\n');
        return md.toString();
    }

    /** One table line. */
    static String markdownRow(Row row) {
        Unit unit = row.unit();
        Boolean met = row.met();
        return "| " + String.join(" | ",
                row.suite(),
                row.what(),
                String.valueOf(row.threads()),
                unit.withDirection(),
                row.kiln().format(unit),
                row.peerName(),
                row.peer() == null ? NONE : row.peer().format(unit),
                row.peer() == null ? NONE : String.format(Locale.ROOT, "%.2f×", row.speedRatio()),
                row.target() == null ? "" : row.target().text(),
                met == null ? (row.target() == null ? "" : "no peer figure") : met ? "PASS" : "MISS",
                row.note()) + " |";
    }

    /** {@code Targets: 7 PASS, 5 MISS.}, with how many could not be checked. */
    static String targetCount(List<Row> rows) {
        long pass = rows.stream().filter(r -> Boolean.TRUE.equals(r.met())).count();
        long miss = rows.stream().filter(r -> Boolean.FALSE.equals(r.met())).count();
        long unchecked = rows.stream().filter(r -> r.target() != null && r.met() == null).count();
        return "Targets: " + pass + " PASS, " + miss + " MISS" + (unchecked > 0 ? ", " + unchecked + " not checked (no peer figure)" : "") + ".";
    }

    /** One JSON object per row, one per line. */
    static String jsonLines(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        for (Row row : rows) {
            out.append(Json.write(json(row))).append('\n');
        }
        return out.toString();
    }

    /** A row as JSON-ready values: figures as {@code {min, median, max, n}}, absent ones and NaN as null. */
    static Map<String, Object> json(Row row) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("suite", row.suite());
        object.put("what", row.what());
        object.put("threads", row.threads());
        object.put("unit", row.unit().symbol());
        object.put("higher_is_better", row.unit().higherIsBetter());
        object.put("kiln", json(row.kiln()));
        object.put("peer", row.peerName());
        object.put("peer_figure", row.peer() == null ? null : json(row.peer()));
        object.put("speed_ratio", row.peer() == null ? null : row.speedRatio());
        object.put("target", row.target() == null ? null : row.target().text());
        object.put("target_kind", row.target() == null ? null : row.target().kind().name().toLowerCase(Locale.ROOT));
        object.put("target_bound", row.target() == null ? null : row.target().bound());
        object.put("met", row.met());
        object.put("note", row.note());
        object.putAll(row.extras());
        return object;
    }

    /** The keys {@link #json(Row)} writes itself; any other key of a row's object is one of its extras. */
    private static final Set<String> ROW_KEYS = Set.of("suite", "what", "threads", "unit", "higher_is_better", "kiln", "peer",
            "peer_figure", "speed_ratio", "target", "target_kind", "target_bound", "met", "note");

    /**
     * The row {@link #json(Row)} wrote, read back (how a suite run in its own JVM hands its rows over);
     * the derived fields (ratio, met) are recomputed, not read.
     *
     * @throws IllegalArgumentException if {@code object} is not such a row
     */
    static Row row(Map<?, ?> object) {
        Map<String, Object> extras = new LinkedHashMap<>();
        object.forEach((key, value) -> {
            if (!ROW_KEYS.contains(key)) {
                extras.put((String) key, value);
            }
        });
        Target target = object.get("target") == null ? null : new Target(text(object, "target"),
                Target.Kind.valueOf(text(object, "target_kind").toUpperCase(Locale.ROOT)), number(object, "target_bound").doubleValue());
        Object peerFigure = object.get("peer_figure");
        return new Row(text(object, "suite"), text(object, "what"), number(object, "threads").intValue(),
                Unit.ofSymbol(text(object, "unit")), Timing.fromJson(object.get("kiln"), "kiln"), text(object, "peer"),
                peerFigure == null ? null : Timing.fromJson(peerFigure, "peer_figure"), target, text(object, "note"), extras);
    }

    private static String text(Map<?, ?> object, String key) {
        if (!(object.get(key) instanceof String text)) {
            throw new IllegalArgumentException("a row's \"" + key + "\" must be a string, got " + object.get(key));
        }
        return text;
    }

    private static Number number(Map<?, ?> object, String key) {
        if (!(object.get(key) instanceof Number number)) {
            throw new IllegalArgumentException("a row's \"" + key + "\" must be a number, got " + object.get(key));
        }
        return number;
    }

    private static Map<String, Object> json(Timing timing) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("min", timing.min());
        object.put("median", timing.median());
        object.put("max", timing.max());
        object.put("n", timing.n());
        return object;
    }

    /** 400 s as {@code 6 min 40 s}. */
    static String duration(long seconds) {
        return seconds < 60 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
    }
}
