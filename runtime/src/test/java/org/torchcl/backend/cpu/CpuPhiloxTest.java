package org.torchcl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.backend.PhiloxStart;

/** Both Philox implementations, called directly, against {@link Philox#blockAt} word by word. */
class CpuPhiloxTest {

    private static final float LOW = -0.75f;
    private static final float SCALE = 3.3f;
    /** Floats before and after the run, which must be left alone. */
    private static final int MARGIN = 3;

    static Stream<Arguments> cases() {
        List<PhiloxStart> starts = List.of(
                new PhiloxStart(0, 0, 0),
                new PhiloxStart(0x1234_5678_9ABCL, 42, 0x0123_4567_89AB_CDEFL),
                // The low counter half wraps inside the run: the high half must carry.
                new PhiloxStart(-37, 7, -1),
                new PhiloxStart(-2, -1, 99));
        int[] counts = {1, 3, 4, 5, 63, 64, 65, 1001};
        long[] firsts = {0, 4, 4 * 1001};
        return Stream.of(new ScalarPhilox(), new VectorPhilox()).flatMap(philox -> starts.stream()
                .flatMap(start -> LongStream.of(firsts).boxed().flatMap(first -> IntStream.of(counts)
                        .mapToObj(count -> Arguments.of(philox, start, first, count)))));
    }

    @ParameterizedTest(name = "{0}: {1}, words {2} + {3}")
    @MethodSource("cases")
    void bitsAreTheBlockWords(CpuPhilox philox, PhiloxStart start, long first, int count) {
        float[] out = new float[count + 2 * MARGIN];
        philox.bits(start, first, count, out, MARGIN);
        assertRun(out, count, e -> word(start, first + e));
    }

    @ParameterizedTest(name = "{0}: {1}, words {2} + {3}")
    @MethodSource("cases")
    void uniformMapsEachWordWithOneFma(CpuPhilox philox, PhiloxStart start, long first, int count) {
        float[] out = new float[count + 2 * MARGIN];
        philox.uniform(start, first, count, out, MARGIN, LOW, SCALE);
        assertRun(out, count, e -> Float.floatToRawIntBits(Math.fma(Philox.unitFloat(word(start, first + e)), SCALE, LOW)));
    }

    private static int word(PhiloxStart start, long e) {
        int[] words = new int[4];
        Philox.blockAt(start, e / 4, words);
        return words[(int) (e % 4)];
    }

    private static void assertRun(float[] out, int count, IntUnaryOperator expectedBits) {
        for (int i = 0; i < out.length; i++) {
            boolean inRun = i >= MARGIN && i < MARGIN + count;
            int expected = inRun ? expectedBits.applyAsInt(i - MARGIN) : 0;
            assertEquals(Integer.toHexString(expected), Integer.toHexString(Float.floatToRawIntBits(out[i])),
                    inRun ? "word " + (i - MARGIN) : "float " + i + " outside the run");
        }
    }
}
