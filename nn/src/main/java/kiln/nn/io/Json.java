package kiln.nn.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259), for checkpoint headers, architectures and
 * {@code --json} output. JSON values become plain Java values and back:
 *
 * <table>
 *   <caption>JSON and Java</caption>
 *   <tr><th>JSON</th><th>Java (parse)</th><th>Java (write)</th></tr>
 *   <tr><td>object</td><td>{@code LinkedHashMap<String, Object>}, keys in text order</td><td>any {@code Map} with String keys</td></tr>
 *   <tr><td>array</td><td>{@code ArrayList<Object>}</td><td>any {@code List}</td></tr>
 *   <tr><td>number</td><td>{@code Long} if written without fraction and exponent and within 64 bits, else {@code Double}</td>
 *       <td>{@code Integer}, {@code Long}, {@code Short}, {@code Byte}, finite {@code Double} and {@code Float}</td></tr>
 *   <tr><td>string</td><td>{@code String}</td><td>{@code String}</td></tr>
 *   <tr><td>true, false</td><td>{@code Boolean}</td><td>{@code Boolean}</td></tr>
 *   <tr><td>null</td><td>{@code null}</td><td>{@code null}</td></tr>
 * </table>
 *
 * <p>Integers stay {@code Long} so that sizes and byte offsets are exact. A double is written in
 * Java's shortest round-trip form ({@code 1.0E-5}), so it parses back to the same value.
 *
 * <p>Strict means: one value and nothing after it but whitespace; no comments, trailing commas,
 * single quotes, leading zeros, NaN or Infinity; no raw control characters in strings; no lone
 * surrogates (escaped or raw); no duplicate keys in an object (which value would win is exactly the
 * kind of ambiguity a file format must not have); nesting at most {@link #MAX_DEPTH} deep, so that a
 * hostile file cannot overflow the stack. Every parse error names its position.
 */
public final class Json {
    /** The deepest nesting of arrays and objects accepted, in both directions. */
    public static final int MAX_DEPTH = 512;

    /** A text that is not valid JSON; the message names the problem and where it is. */
    public static final class ParseException extends IllegalArgumentException {
        private final int offset;

        ParseException(String problem, String text, int offset) {
            super(problem + " at " + where(text, offset));
            this.offset = offset;
        }

        /** The position of the problem, in chars from the start of the text. */
        public int offset() { return offset; }

        private static String where(String text, int offset) {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset && i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            return "line " + line + ", column " + (offset - lineStart + 1) + " (offset " + offset + ")";
        }
    }

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    // ---------------------------------------------------------------- reading

    /** The value the text holds; throws {@link ParseException} for anything but exactly one valid JSON value. */
    public static Object parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("Json.parse: the text is null");
        }
        Json reader = new Json(text);
        reader.skipWhitespace();
        Object value = reader.value(0);
        reader.skipWhitespace();
        if (reader.pos < text.length()) {
            throw reader.error("unexpected " + reader.describeChar() + " after the value");
        }
        return value;
    }

    private Object value(int depth) {
        if (pos >= text.length()) {
            throw error("unexpected end of input, expected a value");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || isDigit(c)) {
                    yield number();
                }
                throw error("unexpected " + describeChar() + ", expected a value");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        checkDepth(depth);
        pos++;                                            // '{'
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            int keyAt = pos;
            if (peek() != '"') {
                throw error("expected a string key, found " + describeChar());
            }
            String key = string();
            if (members.containsKey(key)) {
                throw new ParseException("duplicate key \"" + key + "\"", text, keyAt);
            }
            skipWhitespace();
            expect(':');
            skipWhitespace();
            members.put(key, value(depth));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == '}') {
                pos++;
                return members;
            } else {
                throw error("expected ',' or '}' in an object, found " + describeChar());
            }
        }
    }

    private List<Object> array(int depth) {
        checkDepth(depth);
        pos++;                                            // '['
        List<Object> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return elements;
        }
        while (true) {
            skipWhitespace();
            elements.add(value(depth));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == ']') {
                pos++;
                return elements;
            } else {
                throw error("expected ',' or ']' in an array, found " + describeChar());
            }
        }
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    private String string() {
        int start = pos;
        pos++;                                            // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new ParseException("unterminated string", text, start);
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return out.toString();
            }
            if (c < 0x20) {
                throw error("raw control character U+" + hex4(c) + " in a string (write it as an escape)");
            }
            if (c == '\\') {
                escape(out);
            } else if (Character.isSurrogate(c)) {
                rawSurrogatePair(out);
            } else {
                out.append(c);
                pos++;
            }
        }
    }

    private void escape(StringBuilder out) {
        int at = pos;
        pos++;                                            // backslash
        if (pos >= text.length()) {
            throw new ParseException("unterminated escape", text, at);
        }
        char e = text.charAt(pos++);
        switch (e) {
            case '"' -> out.append('"');
            case '\\' -> out.append('\\');
            case '/' -> out.append('/');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> {
                char unit = hex4Digits(at);
                if (Character.isLowSurrogate(unit)) {
                    throw new ParseException("lone low surrogate \\u" + hex4(unit), text, at);
                }
                out.append(unit);
                if (Character.isHighSurrogate(unit)) {
                    out.append(lowSurrogateEscape(unit, at));
                }
            }
            default -> throw new ParseException("invalid escape '\\" + e + "'", text, at);
        }
    }

    /** A character beyond U+FFFF is escaped as two UTF-16 units: after the high one, the low one must follow at once. */
    private char lowSurrogateEscape(char high, int highAt) {
        int lowAt = pos;
        if (!text.startsWith("\\u", pos)) {
            throw new ParseException("high surrogate \\u" + hex4(high) + " not followed by a low surrogate escape", text, highAt);
        }
        pos += 2;
        char low = hex4Digits(lowAt);
        if (!Character.isLowSurrogate(low)) {
            throw new ParseException("high surrogate \\u" + hex4(high) + " followed by \\u" + hex4(low)
                    + ", which is not a low surrogate", text, lowAt);
        }
        return low;
    }

    /** The four hex digits at pos (just after a "\\u"), as one UTF-16 unit. */
    private char hex4Digits(int escapeAt) {
        if (pos + 4 > text.length()) {
            throw new ParseException("incomplete \\u escape", text, escapeAt);
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            char c = text.charAt(pos + i);
            int digit = c >= '0' && c <= '9' ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : -1;
            if (digit < 0) {
                throw new ParseException("invalid \\u escape (four hex digits expected)", text, escapeAt);
            }
            value = value * 16 + digit;
        }
        pos += 4;
        return (char) value;
    }

    private void rawSurrogatePair(StringBuilder out) {
        char high = text.charAt(pos);
        if (Character.isHighSurrogate(high) && pos + 1 < text.length() && Character.isLowSurrogate(text.charAt(pos + 1))) {
            out.append(high).append(text.charAt(pos + 1));
            pos += 2;
            return;
        }
        throw error("lone surrogate U+" + hex4(high) + " in a string");
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("leading zero in a number");
            }
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("expected a digit after '-', found " + describeChar());
        }
        boolean integral = true;
        if (peek() == '.') {
            pos++;
            requireDigit("after the decimal point");
            digits();
            integral = false;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            requireDigit("in the exponent");
            digits();
            integral = false;
        }
        String token = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(token);
            } catch (NumberFormatException beyondLong) {
                // valid JSON, just wider than 64 bits: keep it as the nearest double
            }
        }
        double value = Double.parseDouble(token);
        if (Double.isInfinite(value)) {
            throw new ParseException("number " + token + " is beyond the range of a double", text, start);
        }
        return value;
    }

    private void requireDigit(String where) {
        if (!isDigit(peek())) {
            throw error("expected a digit " + where + ", found " + describeChar());
        }
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected " + describeChar() + ", expected a value");
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "', found " + describeChar());
        }
        pos++;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The current char, or 0 at the end (never valid where it is tested). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private String describeChar() {
        if (pos >= text.length()) {
            return "end of input";
        }
        char c = text.charAt(pos);
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : "character U+" + hex4(c);
    }

    private ParseException error(String problem) {
        return new ParseException(problem, text, pos);
    }

    private static String hex4(char c) {
        return String.format("%04X", (int) c);
    }

    // ---------------------------------------------------------------- writing

    /** The value as compact JSON text (no whitespace); see the class comment for the accepted types. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        writeValue(value, out, null, 0);
        return out.toString();
    }

    /**
     * The value as indented JSON text (two spaces per level), an array of numbers, strings, booleans
     * and nulls on one line, e.g. {@code "shape": [6, 1, 5, 5]}.
     */
    public static String writePretty(Object value) {
        StringBuilder out = new StringBuilder();
        writeValue(value, out, "\n", 0);
        return out.toString();
    }

    /** newline is null for compact output, else the line break plus the current indentation. */
    private static void writeValue(Object value, StringBuilder out, String newline, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("Json.write: nesting deeper than " + MAX_DEPTH + " levels (a cycle?)");
        }
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b);
            case String s -> writeString(s, out);
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Short s -> out.append(s);
            case Byte b -> out.append(b);
            case Double d -> out.append(finite(d, d));
            case Float f -> out.append(finite(f, f));
            case Map<?, ?> map -> writeObject(map, out, newline, depth);
            case List<?> list -> writeArray(list, out, newline, depth);
            default -> throw new IllegalArgumentException("Json.write: cannot write a " + value.getClass().getName()
                    + " (" + value + ")");
        }
    }

    private static Object finite(Number number, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("Json.write: JSON has no " + number + "; only finite numbers can be written");
        }
        return number;
    }

    private static void writeObject(Map<?, ?> map, StringBuilder out, String newline, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        String inner = newline == null ? null : newline + "  ";
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> member : map.entrySet()) {
            if (!(member.getKey() instanceof String key)) {
                throw new IllegalArgumentException("Json.write: object keys must be strings, got " + member.getKey());
            }
            out.append(first ? "" : ",");
            first = false;
            if (inner != null) {
                out.append(inner);
            }
            writeString(key, out);
            out.append(inner == null ? ":" : ": ");
            writeValue(member.getValue(), out, inner, depth + 1);
        }
        if (newline != null) {
            out.append(newline);
        }
        out.append('}');
    }

    private static void writeArray(List<?> list, StringBuilder out, String newline, int depth) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        boolean flat = newline == null || list.stream().noneMatch(e -> e instanceof Map<?, ?> || e instanceof List<?>);
        String inner = newline == null ? null : newline + "  ";
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(flat && newline != null ? ", " : ",");
            }
            if (!flat) {
                out.append(inner);
            }
            writeValue(list.get(i), out, inner, depth + 1);
        }
        if (!flat) {
            out.append(newline);
        }
        out.append(']');
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u").append(hex4(c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new IllegalArgumentException("Json.write: the string has a lone surrogate U+" + hex4(c)
                                + " at index " + i + " (not valid Unicode)");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
