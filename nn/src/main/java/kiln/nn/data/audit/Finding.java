package kiln.nn.data.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One problem the audit found, and what to do about it.
 *
 * @param subject where: "column 'age'", "target 'label'", "rows", or with a file in front when two are audited
 * @param problem what is wrong, with the numbers: "3 missing values (15.0%)"
 * @param advice  what to do: "impute them (e.g. --missing median) or drop those rows"
 */
public record Finding(String subject, String problem, String advice) {
    public Finding {
        if (subject == null || problem == null || advice == null) {
            throw new IllegalArgumentException("Finding: subject, problem and advice are required, got "
                    + subject + ", " + problem + ", " + advice);
        }
    }

    /** The same finding, its subject prefixed by the file it is about. */
    Finding in(String file) {
        return new Finding(file + " " + subject, problem, advice);
    }

    /** "column 'age': 3 missing values (15.0%) -> impute them ...": one line. */
    public String format() {
        return subject + ": " + problem + " -> " + advice;
    }

    /** "findings (2):" and the findings numbered, one a line; "findings: none" for none. */
    static String formatList(List<Finding> findings) {
        StringBuilder text = new StringBuilder(findings.isEmpty() ? "findings: none\n" : "findings (" + findings.size() + "):\n");
        for (int i = 0; i < findings.size(); i++) {
            text.append(String.format(Locale.ROOT, "%3d. %s%n", i + 1, findings.get(i).format()));
        }
        return text.toString();
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("subject", subject);
        json.put("problem", problem);
        json.put("advice", advice);
        return json;
    }
}
