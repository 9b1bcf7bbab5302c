package org.torchcl.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The WordPiece ids against Hugging Face's own {@code tokenizers} library (the Rust code, through
 * DJL's binding that langchain4j's embedding model uses), run offline on the same tokenizer.json.
 */
class WordPieceTokenizerTest {

    /** A dozen cases, each aimed at one step of the pipeline. */
    static final List<String> CASES = List.of(
            "Hello, world!",                                      // punctuation split off
            "Don't stop-believing... (really)?!",                 // apostrophes, dashes, brackets
            "Café Müller, crème brûlée, naïve Zoë, Ångström",      // accents stripped after NFD
            "北京是中国的首都。日本語のテキスト",                          // CJK ideographs split, kana kept whole
            "Supercalifragilisticexpialidocious antidisestablishmentarianism", // long words -> ##pieces
            "qwzxv ⌘⌘⌘ 🙂",                                        // unknown pieces and symbols -> [UNK]
            "a".repeat(101) + " " + "b".repeat(100),              // over max_input_chars_per_word -> [UNK]
            "  tabs\tand\nnew\r\nlines\u00A0and\u3000spaces  ",     // Unicode whitespace
            "zero\u200Bwidth and control\u0007chars\uFFFD",        // clean_text drops Cf/Cc/U+FFFD
            "$100 + 5% = <tag> ^_^ `code` | ~tilde~",              // ASCII symbols count as punctuation
            "[CLS] literal special tokens [MASK] inside [SEP]",   // added tokens matched on the raw text
            "ΣΊΣΥΦΟΣ ΚΑΙ ΟΔΥΣΣΕΑΣ İstanbul ǅemal",                 // per-character lower case
            "");                                                   // empty text: [CLS] [SEP]

    @Test
    void idsEqualHuggingFaceTokenizers() throws IOException {
        WordPieceTokenizer tokenizer = BertFixture.tokenizer();
        try (InputStream in = BertFixture.stream(BertFixture.TOKENIZER);
             HuggingFaceTokenizer reference = HuggingFaceTokenizer.newInstance(in,
                     Map.of("padding", "false", "truncation", "true", "maxLength", "128"))) {
            List<String> cases = new ArrayList<>(CASES);
            cases.add("many words ".repeat(100));             // truncated to 128 ids with [SEP] last
            for (String text : cases) {
                Encoding expected = reference.encode(text);
                int[] ids = tokenizer.encode(text);
                assertArrayEquals(expected.getIds(), Arrays.stream(ids).asLongStream().toArray(),
                        () -> "ids of \"" + text + "\": reference tokens " + Arrays.toString(expected.getTokens()));
            }
        }
    }

    @Test
    void batchPadsToTheLongestWithAMask() {
        WordPieceBatch batch = BertFixture.tokenizer().encodeBatch(List.of("Hello, world!", "Hi"));
        // [CLS] hello , world ! [SEP] = 101 7592 1010 2088 999 102; [CLS] hi [SEP] = 101 7632 102
        assertEquals(6, batch.length());
        assertArrayEquals(new long[] {101, 7592, 1010, 2088, 999, 102, 101, 7632, 102, 0, 0, 0}, batch.inputIds());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, batch.attentionMask());
        assertArrayEquals(new long[] {101, 7632, 102}, batch.ids(1));
    }
}
