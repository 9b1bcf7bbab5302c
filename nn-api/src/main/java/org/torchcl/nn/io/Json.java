package org.torchcl.nn.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader, in two dialects. Values come back as {@code Map<String, Object>}
 * (insertion-ordered), {@code List<Object>}, {@code String}, {@code Long}, and in the full dialect also
 * {@code Double}, {@code Boolean} and {@code null}.
 * <ul>
 * <li>{@link #parse(String, String)}: all of JSON (config files such as a tokenizer's
 * {@code tokenizer.json}), nesting at most {@value #MAX_DEPTH} deep; numbers are {@code Long} when
 * integral, else {@code Double}. Trailing text and bad escapes are {@link IllegalArgumentException}s
 * naming the offset.
 * <li>the safetensors header subset: objects (duplicate keys rejected), arrays, strings (no raw control
 * characters) and non-negative integers, nesting at most {@value #HEADER_MAX_DEPTH} deep. Anything else
 * is a {@link SafetensorsFormatException} with the offset.
 * </ul>
 */
public final class Json {

    /** The deepest nesting {@link #parse(String, String)} reads. */
    public static final int MAX_DEPTH = 64;

    static final int HEADER_MAX_DEPTH = 8;

    /** A parse error at {@link #at}, turned into the dialect's exception by the entry points. */
    private static final class Failure extends RuntimeException {
        final int at;

        Failure(int at, String what) {
            super(what, null, false, false);
            this.at = at;
        }
    }

    private final String text;
    private final boolean header;
    private int at;

    private Json(String text, boolean header) {
        this.text = text;
        this.header = header;
    }

    /**
     * Parses a whole JSON text; {@code source} names it in errors ({@code "tokenizer.json at offset 12: ..."}).
     *
     * @throws IllegalArgumentException when {@code text} is not one well-formed JSON value
     */
    public static Object parse(String text, String source) {
        try {
            return new Json(text, false).document();
        } catch (Failure f) {
            throw new IllegalArgumentException(source + " at offset " + f.at + ": " + f.getMessage());
        }
    }

    /** Parses a safetensors header (the strict subset above). */
    static Object parse(String text) throws SafetensorsFormatException {
        try {
            return new Json(text, true).document();
        } catch (Failure f) {
            throw new SafetensorsFormatException("header JSON at character " + f.at + ": " + f.getMessage());
        }
    }

    private Object document() {
        skipSpace();
        Object value = value(0);
        skipSpace();
        if (at != text.length()) {
            throw error("trailing characters after the JSON value");
        }
        return value;
    }

    private Object value(int depth) {
        int maxDepth = header ? HEADER_MAX_DEPTH : MAX_DEPTH;
        if (depth > maxDepth) {
            throw error("JSON nested deeper than " + maxDepth + " levels");
        }
        if (at >= text.length()) {
            throw error(header ? "unexpected end of the header" : "unexpected end of the JSON text");
        }
        char c = text.charAt(at);
        if (c == '{') {
            return object(depth);
        }
        if (c == '[') {
            return array(depth);
        }
        if (c == '"') {
            return string();
        }
        if (header) {
            if (c >= '0' && c <= '9') {
                return integer();
            }
            throw error("unexpected character '" + c + "' (only objects, arrays, strings and non-negative integers)");
        }
        if (text.startsWith("true", at) || text.startsWith("null", at)) {
            at += 4;
            return c == 't' ? Boolean.TRUE : null;
        }
        if (text.startsWith("false", at)) {
            at += 5;
            return Boolean.FALSE;
        }
        return number();
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> members = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek('}')) {
            at++;
            return members;
        }
        while (true) {
            skipSpace();
            if (!peek('"')) {
                throw error("expected a quoted key");
            }
            int keyAt = at;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object value = value(depth + 1);
            if (members.put(key, value) != null && header) { // the full dialect keeps the last, as most readers do
                at = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            skipSpace();
            if (peek(',')) {
                at++;
            } else {
                expect('}');
                return members;
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> items = new ArrayList<>();
        at++;
        skipSpace();
        if (peek(']')) {
            at++;
            return items;
        }
        while (true) {
            skipSpace();
            items.add(value(depth + 1));
            skipSpace();
            if (peek(',')) {
                at++;
            } else {
                expect(']');
                return items;
            }
        }
    }

    private String string() {
        StringBuilder out = new StringBuilder();
        at++;
        while (true) {
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20 && header) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(at++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(unicodeEscape());
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private char unicodeEscape() {
        if (at + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at++), 16);
            if (digit < 0) {
                throw error("bad hex digit in a \\u escape");
            }
            code = code * 16 + digit;
        }
        return (char) code;
    }

    private Long integer() {
        int start = at;
        while (at < text.length() && Character.isDigit(text.charAt(at))) {
            at++;
        }
        if (at < text.length() && (text.charAt(at) == '.' || text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
            throw error("only integers are allowed");
        }
        String digits = text.substring(start, at);
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            throw error("integer with a leading zero: " + digits);
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("integer out of range: " + (digits.length() > 30 ? digits.substring(0, 30) + "..." : digits));
        }
    }

    /** Any JSON number (leniently: what {@link Double#parseDouble} takes): {@code Long} when integral. */
    private Object number() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String literal = text.substring(start, at);
        try {
            if (literal.matches("-?[0-9]{1,18}")) {
                return Long.parseLong(literal);
            }
            return Double.parseDouble(literal);
        } catch (NumberFormatException e) {
            at = start;
            throw error("expected a JSON value");
        }
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private Failure error(String what) {
        return new Failure(at, what);
    }

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
