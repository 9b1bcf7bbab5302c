package org.torchcl.backend.cpu;

import org.torchcl.backend.PhiloxStart;

/** {@link CpuPhilox} one block at a time with {@link Philox#blockAt}, for JVMs without the Vector API. */
final class ScalarPhilox implements CpuPhilox {

    /** What becomes of one word. */
    @FunctionalInterface
    private interface WordMapping {
        float apply(int word);
    }

    @Override
    public void bits(PhiloxStart start, long first, int count, float[] out, int offset) {
        fill(start, first, count, out, offset, Float::intBitsToFloat);
    }

    @Override
    public void uniform(PhiloxStart start, long first, int count, float[] out, int offset, float low, float scale) {
        fill(start, first, count, out, offset, word -> Math.fma(Philox.unitFloat(word), scale, low));
    }

    private static void fill(PhiloxStart start, long first, int count, float[] out, int offset, WordMapping mapping) {
        int[] words = new int[4];
        for (int i = 0; i < count; i += 4) {
            Philox.blockAt(start, (first + i) / 4, words);
            for (int w = 0; w < 4 && i + w < count; w++) {
                out[offset + i + w] = mapping.apply(words[w]);
            }
        }
    }
}
