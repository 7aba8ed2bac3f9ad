package kiln.nn.data.audit;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with a header row, its columns padded to their widest cell; numbers right-aligned. */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] rightAligned;

    /** The header; a name starting with '>' marks a right-aligned column (the '>' is not shown). */
    TextTable(String... header) {
        rightAligned = new boolean[header.length];
        String[] names = new String[header.length];
        for (int j = 0; j < header.length; j++) {
            rightAligned[j] = header[j].startsWith(">");
            names[j] = rightAligned[j] ? header[j].substring(1) : header[j];
        }
        rows.add(names);
    }

    TextTable add(String... cells) {
        if (cells.length != rightAligned.length) {
            throw new IllegalArgumentException("TextTable.add: " + cells.length + " cells for " + rightAligned.length + " columns");
        }
        rows.add(cells.clone());
        return this;
    }

    /** The rows, each line starting with {@code indent}, columns two spaces apart, no trailing spaces. */
    String format(String indent) {
        int[] widths = new int[rightAligned.length];
        for (String[] row : rows) {
            for (int j = 0; j < row.length; j++) {
                widths[j] = Math.max(widths[j], row[j].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int j = 0; j < row.length; j++) {
                String padding = " ".repeat(widths[j] - row[j].length());
                line.append(j > 0 ? "  " : "").append(rightAligned[j] ? padding + row[j] : row[j] + padding);
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
