package org.torchcl.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON reader the tokenizer needs for {@code tokenizer.json}: objects (insertion-ordered
 * {@code Map}), arrays ({@code List}), strings, numbers ({@code Double}, or {@code Long} when
 * integral), booleans and null. Strict (trailing text, bad escapes and nesting deeper than
 * {@value #MAX_DEPTH} are errors naming the offset), since a tokenizer read wrongly would give
 * plausible but wrong embeddings.
 */
final class WordPieceJson {

    static final int MAX_DEPTH = 64;

    private final String text;
    private int at;

    private WordPieceJson(String text) {
        this.text = text;
    }

    static Object parse(String text) {
        WordPieceJson json = new WordPieceJson(text);
        Object value = json.value(0);
        json.space();
        if (json.at != text.length()) {
            throw json.error("trailing characters after the JSON value");
        }
        return value;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
        space();
        if (at >= text.length()) {
            throw error("unexpected end of the JSON text");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{' -> {
                at++;
                Map<String, Object> object = new LinkedHashMap<>();
                space();
                if (peek('}')) {
                    return object;
                }
                do {
                    space();
                    String key = string();
                    space();
                    expect(':');
                    object.put(key, value(depth + 1));
                    space();
                } while (peek(','));
                expect('}');
                return object;
            }
            case '[' -> {
                at++;
                List<Object> array = new ArrayList<>();
                space();
                if (peek(']')) {
                    return array;
                }
                do {
                    array.add(value(depth + 1));
                    space();
                } while (peek(','));
                expect(']');
                return array;
            }
            case '"' -> {
                return string();
            }
            default -> {
                if (text.startsWith("true", at) || text.startsWith("null", at)) {
                    at += 4;
                    return text.charAt(at - 4) == 't' ? Boolean.TRUE : null;
                }
                if (text.startsWith("false", at)) {
                    at += 5;
                    return Boolean.FALSE;
                }
                return number();
            }
        }
    }

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

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
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
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw error("truncated \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    at += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private void space() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private boolean peek(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("tokenizer.json at offset " + at + ": " + what);
    }
}
