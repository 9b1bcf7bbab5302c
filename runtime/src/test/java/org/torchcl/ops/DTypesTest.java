package org.torchcl.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.torchcl.ops.OpsReference.assertExact;
import static org.torchcl.ops.OpsReference.values;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;
import org.torchcl.ops.OpsReference.Layout;

/** {@code to(DType)} between every pair of dtypes, and the 16-bit float conversions bit for bit against PyTorch. */
class DTypesTest {

    // ---------------------------------------------------------------- 16-bit floats vs PyTorch golden files

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void everyFloat16PatternWidensAsPyTorch(Device device) {
        checkAllPatterns(device, DType.FLOAT16, Npy.load("f16_to_f32").ints());
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void everyBfloat16PatternWidensAsPyTorch(Device device) {
        checkAllPatterns(device, DType.BFLOAT16, Npy.load("bf16_to_f32").ints());
    }

    private static void checkAllPatterns(Device device, DType type, int[] expected) {
        ByteBuffer bytes = ByteBuffer.allocate(65536 * 2).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 65536; i++) {
            bytes.putShort((short) i);
        }
        bytes.flip();
        try (Tensor half = Torch.fromBytes(device, type, bytes, 65536); Tensor wide = half.to(DType.FLOAT32)) {
            assertEquals(DType.FLOAT32, wide.dtype());
            float[] got = wide.toArray();
            assertBits(type + " pattern", expected, got, i -> String.format("0x%04x", i));
            // toArray() of the 16-bit tensor widens the same way
            assertBits(type + " pattern via toArray()", expected, half.toArray(), i -> String.format("0x%04x", i));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void specialFloatsNarrowAsPyTorch(Device device) {
        int[] inputs = Npy.load("special_f32").ints();
        checkNarrowing(device, DType.FLOAT16, inputs, Npy.load("special_to_f16").ushorts());
        checkNarrowing(device, DType.BFLOAT16, inputs, Npy.load("special_to_bf16").ushorts());
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void randomFloatsNarrowAsPyTorchHead(Device device) {
        int[] inputs = Npy.load("random_f32_head").ints();
        checkNarrowing(device, DType.FLOAT16, inputs, Npy.load("random_to_f16_head").ushorts());
        checkNarrowing(device, DType.BFLOAT16, inputs, Npy.load("random_to_bf16_head").ushorts());
    }

    /** 10^6 random float32 bit patterns, regenerated here (SplitMix64, as the Python script) and checked by chunk CRCs. */
    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void millionRandomFloatsNarrowAsPyTorch(Device device) {
        long[] params = Npy.load("random_params").longs();
        long seed = params[0];
        int count = (int) params[1];
        int chunk = (int) params[2];
        int[] headInputs = Npy.load("random_f32_head").ints();
        Npy crcs = Npy.load("random_crc");
        long[] crc = crcs.longs();
        int chunks = crcs.shape()[1];
        int[] bits = splitMix64Bits32(seed, count);
        for (int i = 0; i < headInputs.length; i++) {
            assertEquals(headInputs[i], bits[i], "regenerated random input " + i + " differs from the stored one");
        }
        for (int c = 0; c < chunks; c++) {
            CRC32 in = new CRC32();
            ByteBuffer b = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = c * chunk; i < (c + 1) * chunk; i++) {
                b.putInt(bits[i]);
            }
            in.update(b.array());
            assertEquals(crc[c], in.getValue(), "input CRC of chunk " + c + ": the generator differs from Python's");
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
        bytes.asIntBuffer().put(bits);
        try (TensorScope scope = TensorScope.open()) {
            Tensor f32 = Torch.fromBytes(device, DType.FLOAT32, bytes, count);
            float[] half = f32.to(DType.FLOAT16).toArray();
            float[] bf = f32.to(DType.BFLOAT16).toArray();
            int badHalf = 0;
            int badBf = 0;
            StringBuilder where = new StringBuilder();
            for (int c = 0; c < chunks; c++) {
                CRC32 h = new CRC32();
                CRC32 g = new CRC32();
                ByteBuffer hb = ByteBuffer.allocate(chunk * 2).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer gb = ByteBuffer.allocate(chunk * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = c * chunk; i < (c + 1) * chunk; i++) {
                    hb.putShort((short) (Float.isNaN(half[i]) ? 0x7E00 : OpsReference.floatToHalf(half[i])));
                    gb.putShort((short) (Float.isNaN(bf[i]) ? 0x7FC0 : Float.floatToRawIntBits(bf[i]) >>> 16));
                }
                h.update(hb.array());
                g.update(gb.array());
                if (h.getValue() != crc[chunks + c]) {
                    if (badHalf++ < 3) {
                        where.append(" float16 chunk ").append(c);
                    }
                }
                if (g.getValue() != crc[2 * chunks + c]) {
                    if (badBf++ < 3) {
                        where.append(" bfloat16 chunk ").append(c);
                    }
                }
            }
            if (badHalf + badBf > 0) {
                fail(badHalf + " float16 and " + badBf + " bfloat16 chunks of " + chunk + " conversions differ from"
                        + " PyTorch's:" + where);
            }
        }
    }

    private static void checkNarrowing(Device device, DType type, int[] inputs, int[] expected) {
        ByteBuffer bytes = ByteBuffer.allocate(inputs.length * 4).order(ByteOrder.nativeOrder());
        bytes.asIntBuffer().put(inputs);
        try (Tensor f32 = Torch.fromBytes(device, DType.FLOAT32, bytes, inputs.length);
             Tensor narrow = f32.to(type)) {
            assertEquals(type, narrow.dtype());
            float[] got = narrow.toArray();
            int bad = 0;
            StringBuilder firsts = new StringBuilder();
            for (int i = 0; i < inputs.length; i++) {
                int e = expected[i];
                float expectedValue = type == DType.FLOAT16 ? OpsReference.halfToFloat(e) : Float.intBitsToFloat(e << 16);
                boolean ok = Float.isNaN(expectedValue) ? Float.isNaN(got[i])
                        : Float.floatToRawIntBits(expectedValue) == Float.floatToRawIntBits(got[i]);
                if (!ok) {
                    if (bad < 8) {
                        firsts.append(String.format(" 0x%08x (%s) -> expected 0x%04x (%s) got %s;", inputs[i],
                                Float.intBitsToFloat(inputs[i]), e, expectedValue, got[i]));
                    }
                    bad++;
                }
            }
            if (bad > 0) {
                fail(bad + " of " + inputs.length + " float32 -> " + type + " conversions differ from PyTorch:" + firsts);
            }
        }
    }

    private static void assertBits(String what, int[] expected, float[] got,
                                   java.util.function.IntFunction<String> name) {
        assertEquals(expected.length, got.length);
        int bad = 0;
        StringBuilder firsts = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            float e = Float.intBitsToFloat(expected[i]);
            boolean ok = Float.isNaN(e) ? Float.isNaN(got[i]) : expected[i] == Float.floatToRawIntBits(got[i]);
            if (!ok) {
                if (bad < 8) {
                    firsts.append(String.format(" %s -> expected 0x%08x (%s) got 0x%08x (%s);", name.apply(i),
                            expected[i], e, Float.floatToRawIntBits(got[i]), got[i]));
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " differ from PyTorch:" + firsts);
        }
    }

    /** SplitMix64 from {@code seed}, each output split into two 32-bit values, low half first (as make_op_golden.py). */
    static int[] splitMix64Bits32(long seed, int count) {
        int[] out = new int[count];
        long state = seed;
        for (int i = 0; i < count; i += 2) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            out[i] = (int) z;
            if (i + 1 < count) {
                out[i + 1] = (int) (z >>> 32);
            }
        }
        return out;
    }

    /** The host reference used for expectations elsewhere agrees with PyTorch on the special values. */
    @org.junit.jupiter.api.Test
    void hostReferenceRoundingAgreesWithPyTorch() {
        int[] inputs = Npy.load("special_f32").ints();
        int[] f16 = Npy.load("special_to_f16").ushorts();
        int[] bf16 = Npy.load("special_to_bf16").ushorts();
        for (int i = 0; i < inputs.length; i++) {
            float f = Float.intBitsToFloat(inputs[i]);
            if (Float.isNaN(f)) {
                continue;
            }
            assertEquals(f16[i], OpsReference.floatToHalf(f), "host float16 of " + f);
            assertEquals(bf16[i], OpsReference.floatToBfloat16(f), "host bfloat16 of " + f);
        }
    }

    // ---------------------------------------------------------------- to(DType) between every pair

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void floatsToIntegersTruncateTowardZeroAndToBoolByNonzero(Device device) {
        double[] data = {-2.7, -1.0, -0.5, -0.0, 0.0, 0.5, 2.7, 100.25, 65504, -3e9};
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, data, data.length);
            Tensor l = x.to(DType.INT64);
            assertEquals(DType.INT64, l.dtype());
            assertArrayEquals(new long[] {-2, -1, 0, 0, 0, 0, 2, 100, 65504, -3_000_000_000L}, l.toLongArray());
            Tensor i = x.narrow(0, 0, 9).to(DType.INT32);
            assertEquals(DType.INT32, i.dtype());
            assertArrayEquals(new int[] {-2, -1, 0, 0, 0, 0, 2, 100, 65504}, i.toIntArray());
            Tensor b = x.to(DType.BOOL);
            assertEquals(DType.BOOL, b.dtype());
            assertArrayEquals(new boolean[] {true, true, true, false, false, true, true, true, true, true},
                    b.toBooleanArray());
            Tensor nan = OpsReference.tensor(device, new double[] {Double.NaN, Double.POSITIVE_INFINITY}, 2);
            assertArrayEquals(new boolean[] {true, true}, nan.to(DType.BOOL).toBooleanArray(), "NaN and inf are nonzero");
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void everyPairOfDtypesConvertsSmallIntegersExactly(Device device) {
        double[] data = {0, 1, -1, 2, 7, -8, 100, 0};
        double[] asBool = {0, 1, 1, 1, 1, 1, 1, 0};
        try (TensorScope scope = TensorScope.open()) {
            for (DType from : DType.values()) {
                double[] source = from == DType.BOOL ? asBool : data;
                Tensor x = OpsReference.tensor(device, from, source, 2, 4);
                for (DType to : DType.values()) {
                    Tensor y = x.to(to);
                    assertEquals(to, y.dtype(), from + " -> " + to);
                    OpsReference.assertShape(new int[] {2, 4}, y);
                    double[] expected = to == DType.BOOL ? asBool : source;
                    assertExact(from + " -> " + to, expected, values(y));
                    // the same from a transposed view
                    Tensor t = x.transpose(0, 1).to(to);
                    if (to != from) {
                        assertTrue(t.isContiguous(), "to(another dtype) of a view is a contiguous copy");
                    }
                    assertExact(from + " -> " + to + " (transposed)",
                            OpsReference.transpose2d(expected, 2, 4), values(t));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void int64KeepsValuesBeyondTwoToThe53(Device device) {
        long big = (1L << 53) + 1;
        long[] data = {big, -big, Long.MAX_VALUE, Long.MIN_VALUE, (1L << 62) + 3};
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Torch.tensor(device, data, 5);
            assertEquals(DType.INT64, x.dtype());
            assertArrayEquals(data, x.toLongArray());
            assertArrayEquals(data, x.to(device).toLongArray());
            assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MIN_VALUE}, x.narrow(0, 2, 2).toLongArray());
            long[] interleaved = new long[10];
            for (int i = 0; i < 5; i++) {
                interleaved[2 * i] = data[i];
                interleaved[2 * i + 1] = -1;
            }
            Tensor strided = Torch.tensor(device, interleaved, 5, 2).select(1, 0);
            assertEquals(2, strided.stride(0), "a stride-2 view");
            assertArrayEquals(data, strided.toLongArray(), "strided int64 read");
            assertArrayEquals(data, strided.contiguous().toLongArray(), "strided int64 copy");
            Tensor f = x.narrow(0, 0, 2).to(DType.FLOAT32);
            assertArrayEquals(new float[] {(float) big, (float) -big}, f.toArray());
            Tensor i32 = Torch.tensor(device, new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE}, 2);
            assertArrayEquals(new long[] {Integer.MAX_VALUE, Integer.MIN_VALUE}, i32.to(DType.INT64).toLongArray());
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void sixteenBitFloatsFromStridedViewsAndEmptyTensors(Device device) {
        double[] data = OpsReference.randn(11, 3 * 5);
        try (TensorScope scope = TensorScope.open()) {
            for (Layout layout : Layout.values()) {
                Tensor x = layout.make(device, data, 3, 5);
                for (DType type : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
                    Tensor h = x.to(type);
                    assertEquals(type, h.dtype());
                    assertExact(layout + " float32 -> " + type, OpsReference.roundedTo(type, data), values(h));
                    assertExact(layout + " " + type + " -> float32", OpsReference.roundedTo(type, data),
                            values(h.to(DType.FLOAT32)));
                }
            }
            Tensor empty = Torch.zeros(device, 0, 3);
            for (DType type : DType.values()) {
                Tensor e = empty.to(type);
                assertEquals(type, e.dtype());
                OpsReference.assertShape(new int[] {0, 3}, e);
                assertEquals(0, values(e).length);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void fullAndFillConvertAsToDtype(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            assertArrayEquals(new long[] {-2, -2}, Torch.full(device, DType.INT64, -2.9, 2).toLongArray());
            assertArrayEquals(new boolean[] {true}, Torch.full(device, DType.BOOL, 0.5, 1).toBooleanArray());
            assertArrayEquals(new float[] {OpsReference.halfToFloat(OpsReference.floatToHalf(0.1f))},
                    Torch.full(device, DType.FLOAT16, 0.1, 1).toArray());
            assertArrayEquals(new float[] {Float.POSITIVE_INFINITY},
                    Torch.full(device, DType.FLOAT16, 70000, 1).toArray(), "float16 overflows to inf");
        }
    }
}
