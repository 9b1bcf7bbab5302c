package org.torchcl.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.torchcl.nn.io.Json;

/**
 * BERT's WordPiece tokenizer as Hugging Face {@code tokenizers} runs it from a
 * {@code tokenizer.json} with a {@code BertNormalizer}, a {@code BertPreTokenizer} and a
 * {@code WordPiece} model — the pipeline of all-MiniLM-L6-v2 and most BERT checkpoints — so the
 * ids equal the reference library's:
 * <ol>
 * <li>added tokens ({@code [CLS]}, {@code [MASK]}, ...) written in the text are matched first, on
 *     the raw text, and become their ids unchanged;</li>
 * <li>normalization: control characters dropped and whitespace made a space (clean text), a space
 *     put around each CJK ideograph, accents stripped (NFD, then nonspacing marks removed) and
 *     lower case — the steps tokenizer.json enables, in that order;</li>
 * <li>pre-tokenization: split at whitespace, and each punctuation character (Unicode P*, plus
 *     ASCII symbols such as {@code $+<=>^`|~}) made a word of its own;</li>
 * <li>WordPiece: each word split greedily into the longest vocabulary pieces, continuations
 *     prefixed with {@code ##}; a word with no split, or longer than
 *     {@code max_input_chars_per_word}, becomes {@code [UNK]}.</li>
 * </ol>
 * {@link #encode} adds {@code [CLS]} and {@code [SEP]} and truncates to tokenizer.json's
 * {@code max_length}; {@link #encodeBatch} pads only to the longest sentence of the batch rather than
 * to tokenizer.json's fixed length, since padded positions are masked out and only cost time.
 * Instances are immutable and thread-safe.
 */
public final class WordPieceTokenizer {

    private final Map<String, Integer> vocab;
    private final String[] added;
    private final int[] addedIds;
    private final String continuation;
    private final int maxCharsPerWord;
    private final int unkId;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int maxLength;
    private final boolean cleanText;
    private final boolean chineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;

    private WordPieceTokenizer(Map<String, Object> json) {
        Map<String, Object> model = object(json, "model");
        if (!"WordPiece".equals(model.get("type"))) {
            throw new IllegalArgumentException("tokenizer.json: model type is " + model.get("type") + ", not WordPiece");
        }
        Map<String, Object> vocabJson = object(model, "vocab");
        vocab = new HashMap<>(vocabJson.size() * 2);
        vocabJson.forEach((token, id) -> vocab.put(token, ((Number) id).intValue()));
        continuation = (String) model.getOrDefault("continuing_subword_prefix", "##");
        maxCharsPerWord = ((Number) model.getOrDefault("max_input_chars_per_word", 100L)).intValue();
        unkId = id((String) model.getOrDefault("unk_token", "[UNK]"));
        clsId = id("[CLS]");
        sepId = id("[SEP]");

        List<Object> addedJson = json.get("added_tokens") instanceof List<?> l ? new ArrayList<>(l) : List.of();
        added = new String[addedJson.size()];
        addedIds = new int[addedJson.size()];
        for (int i = 0; i < added.length; i++) {
            Map<?, ?> token = (Map<?, ?>) addedJson.get(i);
            added[i] = (String) token.get("content");
            addedIds[i] = ((Number) token.get("id")).intValue();
        }

        Map<String, Object> normalizer = object(json, "normalizer");
        if (!"BertNormalizer".equals(normalizer.get("type"))) {
            throw new IllegalArgumentException("tokenizer.json: normalizer is " + normalizer.get("type")
                    + ", not BertNormalizer");
        }
        cleanText = !Boolean.FALSE.equals(normalizer.get("clean_text"));
        chineseChars = !Boolean.FALSE.equals(normalizer.get("handle_chinese_chars"));
        lowercase = !Boolean.FALSE.equals(normalizer.get("lowercase"));
        // As in tokenizers: strip_accents null means "as lowercase".
        Object strip = normalizer.get("strip_accents");
        stripAccents = strip == null ? lowercase : (Boolean) strip;

        Map<String, Object> preTokenizer = object(json, "pre_tokenizer");
        if (!"BertPreTokenizer".equals(preTokenizer.get("type"))) {
            throw new IllegalArgumentException("tokenizer.json: pre_tokenizer is " + preTokenizer.get("type")
                    + ", not BertPreTokenizer");
        }
        Object padding = json.get("padding");
        padId = padding instanceof Map<?, ?> p && p.get("pad_id") instanceof Number n ? n.intValue() : id("[PAD]");
        maxLength = json.get("truncation") instanceof Map<?, ?> t && t.get("max_length") instanceof Number n
                ? n.intValue() : Integer.MAX_VALUE;
    }

    /** Reads {@code tokenizer.json} from {@code path}. */
    public static WordPieceTokenizer fromJson(Path path) throws IOException {
        return fromJson(Files.readString(path, StandardCharsets.UTF_8));
    }

    /** Reads {@code tokenizer.json} from {@code in} (a classpath resource, say); does not close it. */
    public static WordPieceTokenizer fromJson(InputStream in) throws IOException {
        return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Parses the text of a {@code tokenizer.json}. */
    public static WordPieceTokenizer fromJson(String json) {
        if (!(Json.parse(json, "tokenizer.json") instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("tokenizer.json must hold a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) root;
        return new WordPieceTokenizer(map);
    }

    /** The most tokens {@link #encode} returns, [CLS] and [SEP] included (tokenizer.json's truncation). */
    public int maxLength() {
        return maxLength;
    }

    public int vocabSize() {
        return vocab.size();
    }

    /** The id of {@code token} in the vocabulary, or -1. */
    public int tokenId(String token) {
        return vocab.getOrDefault(token, -1);
    }

    /** The ids of {@code text} without [CLS]/[SEP] and without truncation. */
    public int[] tokenize(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        IdList ids = new IdList();
        int start = 0;
        int at = 0;
        while (at < text.length()) {
            int match = addedTokenAt(text, at);
            if (match < 0) {
                at++;
                continue;
            }
            words(normalize(text.substring(start, at)), ids);
            ids.add(addedIds[match]);
            at += added[match].length();
            start = at;
        }
        words(normalize(text.substring(start)), ids);
        return ids.toArray();
    }

    /** {@code [CLS] tokens [SEP]}, the tokens cut so that the whole fits {@link #maxLength()}. */
    public int[] encode(String text) {
        int[] tokens = tokenize(text);
        int kept = Math.min(tokens.length, Math.max(0, maxLength - 2));
        int[] ids = new int[kept + 2];
        ids[0] = clsId;
        System.arraycopy(tokens, 0, ids, 1, kept);
        ids[kept + 1] = sepId;
        return ids;
    }

    /** Encodes each text and pads them to the longest, with the attention mask that marks real tokens. */
    public WordPieceBatch encodeBatch(List<String> texts) {
        if (texts == null || texts.isEmpty()) {
            throw new IllegalArgumentException("encodeBatch needs at least one text");
        }
        int[][] encoded = new int[texts.size()][];
        int length = 0;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = encode(texts.get(i));
            length = Math.max(length, encoded[i].length);
        }
        return WordPieceBatch.padded(encoded, length, padId);
    }

    // ---------------------------------------------------------------- pipeline steps

    /** The index of the added token that starts at {@code at} (the longest, if several), else -1. */
    private int addedTokenAt(String text, int at) {
        int best = -1;
        for (int i = 0; i < added.length; i++) {
            if (!added[i].isEmpty() && text.startsWith(added[i], at)
                    && (best < 0 || added[i].length() > added[best].length())) {
                best = i;
            }
        }
        return best;
    }

    private String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (cleanText && (c == 0 || c == 0xFFFD || isControl(c))) {
                return;
            }
            if (cleanText && isWhitespace(c)) {
                out.append(' ');
            } else if (chineseChars && isCjk(c)) {
                out.append(' ').appendCodePoint(c).append(' ');
            } else {
                out.appendCodePoint(c);
            }
        });
        String s = out.toString();
        if (stripAccents) {
            StringBuilder stripped = new StringBuilder(s.length());
            Normalizer.normalize(s, Normalizer.Form.NFD).codePoints()
                    .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
                    .forEach(stripped::appendCodePoint);
            s = stripped.toString();
        }
        if (lowercase) {
            // Code point by code point, as Rust's char::to_lowercase: no context-dependent final sigma.
            StringBuilder lower = new StringBuilder(s.length());
            s.codePoints().forEach(c -> lower.appendCodePoint(Character.toLowerCase(c)));
            s = lower.toString();
        }
        return s;
    }

    /** Splits normalized text into words at whitespace and punctuation and appends their pieces' ids. */
    private void words(String text, IdList ids) {
        int start = -1;
        int at = 0;
        while (at < text.length()) {
            int c = text.codePointAt(at);
            int next = at + Character.charCount(c);
            if (isWhitespace(c) || isPunctuation(c)) {
                if (start >= 0) {
                    pieces(text.substring(start, at), ids);
                    start = -1;
                }
                if (isPunctuation(c)) {
                    pieces(text.substring(at, next), ids);
                }
            } else if (start < 0) {
                start = at;
            }
            at = next;
        }
        if (start >= 0) {
            pieces(text.substring(start), ids);
        }
    }

    /** Greedy longest-match-first WordPiece of one word. */
    private void pieces(String word, IdList ids) {
        if (word.codePointCount(0, word.length()) > maxCharsPerWord) {
            ids.add(unkId);
            return;
        }
        int mark = ids.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            int found = -1;
            while (end > start) {
                String piece = start == 0 ? word.substring(start, end) : continuation + word.substring(start, end);
                Integer id = vocab.get(piece);
                if (id != null) {
                    found = id;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found < 0) {
                ids.truncate(mark);
                ids.add(unkId);
                return;
            }
            ids.add(found);
            start = end;
        }
    }

    // ---------------------------------------------------------------- character classes (as tokenizers)

    /** Unicode White_Space, plus tab, newline and carriage return. */
    private static boolean isWhitespace(int c) {
        return c == '\t' || c == '\n' || c == '\r' || c == ' ' || c == 0x85 || Character.isSpaceChar(c)
                || (c >= 0x09 && c <= 0x0D);
    }

    /** Unicode "other" categories (Cc, Cf, Cn, Co, Cs), except tab, newline and carriage return. */
    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /** ASCII punctuation and symbols, and every Unicode punctuation category (P*). */
    private static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK Unified Ideographs blocks BERT pads with spaces (not Hangul, Hiragana or Katakana). */
    private static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    private int id(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer.json: the vocabulary has no " + token);
        }
        return id;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> json, String key) {
        if (!(json.get(key) instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("tokenizer.json: \"" + key + "\" must be an object");
        }
        return (Map<String, Object>) map;
    }

    /** A growable int array, so tokenizing allocates no boxed integers. */
    private static final class IdList {
        private int[] ids = new int[32];
        private int size;

        void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        int size() {
            return size;
        }

        void truncate(int newSize) {
            size = newSize;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}
