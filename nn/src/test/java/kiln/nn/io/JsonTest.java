package kiln.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strict JSON reader and writer: values, types, escapes, positions of errors, and refusals. */
class JsonTest {

    @Test
    void parsesEveryKindOfValueWithTheDocumentedJavaTypes() {
        Object value = Json.parse(" {\"s\": \"x\", \"i\": -42, \"d\": 2.5, \"e\": 1e3, \"t\": true, \"f\": false, \"n\": null,"
                + " \"a\": [1, [], {}], \"o\": {\"k\": 0}}\n");
        Map<?, ?> map = assertInstanceOf(LinkedHashMap.class, value);
        assertEquals(List.of("s", "i", "d", "e", "t", "f", "n", "a", "o"), new ArrayList<>(map.keySet()), "keys keep the text's order");
        assertEquals("x", map.get("s"));
        assertEquals(-42L, map.get("i"), "an integer literal is a Long");
        assertEquals(2.5, map.get("d"));
        assertEquals(1000.0, map.get("e"), "an exponent makes a Double even when the value is whole");
        assertEquals(Boolean.TRUE, map.get("t"));
        assertEquals(Boolean.FALSE, map.get("f"));
        assertTrue(map.containsKey("n"));
        assertNull(map.get("n"));
        assertEquals(List.of(1L, List.of(), Map.of()), map.get("a"));
        assertEquals(Map.of("k", 0L), map.get("o"));
    }

    @Test
    void integersKeepAll64BitsAndWiderOnesBecomeDoubles() {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(9223372036854775808.0, Json.parse("9223372036854775808"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(-0.0, Json.parse("-0.0"));
        assertEquals(1e-5, Json.parse("1.0E-5"));
        assertEquals(4.9e-324, Json.parse("4.9e-324"));
    }

    @Test
    void decodesEscapesAndSurrogatePairs() {
        assertEquals("\"\\/\b\f\n\r\t", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""));
        assertEquals("é", Json.parse("\"\\u00e9\""));
        assertEquals("é", Json.parse("\"\\u00E9\""));
        assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""), "U+1F600 escaped as its two UTF-16 units");
        assertEquals("\uD83D\uDE00 und é", Json.parse("\"\uD83D\uDE00 und é\""), "raw non-ASCII text is taken as it is");
        assertEquals("\u0000", Json.parse("\"\\u0000\""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "``                       | unexpected end of input, expected a value | 0",
            "`   `                    | unexpected end of input, expected a value | 3",
            "{                        | expected a string key, found end of input | 1",
            "[1,]                     | unexpected ']', expected a value          | 3",
            "`{\"a\":1,}`             | expected a string key, found '}'          | 7",
            "`{\"a\" 1}`              | expected ':', found '1'                   | 5",
            "`{a:1}`                  | expected a string key, found 'a'          | 1",
            "[1 2]                    | expected ',' or ']' in an array, found '2' | 3",
            "`{\"a\":1 \"b\":2}`      | expected ',' or '}' in an object, found '\"' | 7",
            "01                       | leading zero in a number                  | 1",
            "-                        | expected a digit after '-', found end of input | 1",
            "-a                       | expected a digit after '-', found 'a'     | 1",
            "1.                       | expected a digit after the decimal point, found end of input | 2",
            ".5                       | unexpected '.', expected a value          | 0",
            "1e                       | expected a digit in the exponent, found end of input | 2",
            "1e+x                     | expected a digit in the exponent, found 'x' | 3",
            "+1                       | unexpected '+', expected a value          | 0",
            "1e999                    | number 1e999 is beyond the range of a double | 0",
            "NaN                      | unexpected 'N', expected a value          | 0",
            "Infinity                 | unexpected 'I', expected a value          | 0",
            "tru                      | unexpected 't', expected a value          | 0",
            "nul                      | unexpected 'n', expected a value          | 0",
            "`'a'`                    | unexpected ''', expected a value          | 0",
            "`\"abc`                  | unterminated string                       | 0",
            "`\"a\\x\"`               | invalid escape '\\x'                      | 2",
            "`\"\\u12zz\"`            | invalid \\u escape (four hex digits expected) | 1",
            "`\"\\u12`                | incomplete \\u escape                     | 1",
            "`\"\\ud800\"`            | high surrogate \\uD800 not followed by a low surrogate escape | 1",
            "`\"\\ud800\\u0041\"`     | high surrogate \\uD800 followed by \\u0041, which is not a low surrogate | 7",
            "`\"\\udc00\"`            | lone low surrogate \\uDC00                | 1",
            "`{\"a\":1,\"a\":2}`      | duplicate key \"a\"                       | 7",
            "[1] 2                    | unexpected '2' after the value            | 4",
            "// c                     | unexpected '/', expected a value          | 0",
    })
    void refusesMalformedTextNamingTheProblemAndWhere(String text, String problem, int offset) {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().startsWith(problem + " at "), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
    }

    @Test
    void refusesRawControlCharactersAndLoneRawSurrogatesInStrings() {
        Json.ParseException tab = assertThrows(Json.ParseException.class, () -> Json.parse("\"a\tb\""));
        assertTrue(tab.getMessage().startsWith("raw control character U+0009 in a string"), tab.getMessage());
        assertEquals(2, tab.offset());
        Json.ParseException lone = assertThrows(Json.ParseException.class, () -> Json.parse("\"a\uD800b\""));
        assertTrue(lone.getMessage().startsWith("lone surrogate U+D800"), lone.getMessage());
    }

    @Test
    void anErrorNamesItsLineAndColumn() {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse("{\n  \"a\": 1,\n  \"b\": tru\n}"));
        assertEquals("unexpected 't', expected a value at line 3, column 8 (offset 19)", e.getMessage());
    }

    @Test
    void deepNestingIsRefusedInsteadOfOverflowingTheStack() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().startsWith("nesting deeper than " + Json.MAX_DEPTH), e.getMessage());
        String deepest = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertEquals(deepest, Json.write(Json.parse(deepest)), "exactly MAX_DEPTH levels are fine");
    }

    @Test
    void writesCompactText() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "a\"b\\c\nd\u0001é\uD83D\uDE00");
        value.put("shape", List.of(6, 1, 5L));
        value.put("eps", 1e-5);
        value.put("p", 0.5f);
        value.put("on", true);
        value.put("none", null);
        value.put("empty", Map.of());
        value.put("nested", List.of(List.of(), Map.of("k", (short) 3), (byte) -1));
        assertEquals("{\"name\":\"a\\\"b\\\\c\\nd\\u0001é\uD83D\uDE00\",\"shape\":[6,1,5],\"eps\":1.0E-5,\"p\":0.5,\"on\":true,"
                + "\"none\":null,\"empty\":{},\"nested\":[[],{\"k\":3},-1]}", Json.write(value));
    }

    @Test
    void writesPrettyTextWithFlatArraysOfScalarsOnOneLine() {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("type", "Conv2d");
        layer.put("kernel_size", List.of(5, 5));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("layers", List.of(layer, Map.of()));
        model.put("tags", List.of());
        assertEquals("""
                {
                  "layers": [
                    {
                      "type": "Conv2d",
                      "kernel_size": [5, 5]
                    },
                    {}
                  ],
                  "tags": []
                }""", Json.writePretty(model));
    }

    @Test
    void whatIsWrittenParsesBackToEqualValues() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "tab\tquote\" slash/ \u007f \u2028 \uD834\uDD1E");
        value.put("numbers", List.of(0L, -1L, Long.MAX_VALUE, 0.1, -2.5e-300, Double.MAX_VALUE, Double.MIN_VALUE, -0.0));
        value.put("deep", List.of(Map.of("a", List.of(true, false)), List.of(List.of())));
        assertEquals(value, Json.parse(Json.write(value)));
        assertEquals(value, Json.parse(Json.writePretty(value)));
    }

    @Test
    void refusesValuesJsonCannotHold() {
        assertWriteRefused(Double.NaN, "JSON has no NaN");
        assertWriteRefused(Double.POSITIVE_INFINITY, "JSON has no Infinity");
        assertWriteRefused(Float.NEGATIVE_INFINITY, "JSON has no -Infinity");
        assertWriteRefused(Map.of(1, "a"), "object keys must be strings");
        assertWriteRefused(new int[] {1}, "cannot write a [I");
        assertWriteRefused(new java.math.BigDecimal("1.5"), "cannot write a java.math.BigDecimal");
        assertWriteRefused("a\uDC00b", "lone surrogate U+DC00 at index 1");
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertWriteRefused(cycle, "nesting deeper than " + Json.MAX_DEPTH);
    }

    private static void assertWriteRefused(Object value, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.write(value));
        assertTrue(e.getMessage().contains(fragment), e.getMessage() + " should contain " + fragment);
    }

    @Test
    void parseRefusesNull() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse(null));
    }
}
