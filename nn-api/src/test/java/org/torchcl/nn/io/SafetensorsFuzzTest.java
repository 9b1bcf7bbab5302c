package org.torchcl.nn.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;

/**
 * Seeded, reproducible fuzzing of the safetensors reader: valid files (the PyTorch golden files
 * and a mixed-dtype one) are damaged at random — bits flipped, the length field rewritten, header
 * numbers, dtypes and punctuation changed, entries duplicated, bytes cut off or appended, slices
 * swapped — and loaded. The reader may accept the result or throw {@link SafetensorsFormatException};
 * anything else fails, as does a load whose device allocations exceed twice the file's size (16-bit
 * data widened to float32). A failure prints the case's seed and bytes.
 */
class SafetensorsFuzzTest {

    /** Cases per CI run on the CPU (a tenth of that per OpenCL device); TORCHCL_FUZZ_CASES overrides. */
    static final int CASES = Integer.parseInt(System.getenv().getOrDefault("TORCHCL_FUZZ_CASES", "5000"));
    static final long SEED = 20261128L;

    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "U8", "BOOL", "F8_E4M3", "X", ""};
    private static final String HEADER_CHARS = "{}[]\",:0123456789-.eE \\u";

    @Test
    void damagedFilesAreRefusedWithTheDocumentedExceptionOnly() throws IOException {
        fuzz(Device.cpu(), CASES);
        for (Device device : TestDevices.openCl()) {
            fuzz(device, Math.max(1, CASES / 10));
        }
    }

    private static void fuzz(Device device, int cases) throws IOException {
        List<byte[]> seeds = seeds();
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < cases; i++) {
            SplittableRandom random = new SplittableRandom(SEED * 31 + i);
            byte[] file = seeds.get(random.nextInt(seeds.size())).clone();
            StringBuilder how = new StringBuilder();
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                file = mutate(file, random, how);
            }
            long base = device.memoryStats().allocatedBytes();
            device.resetPeakMemoryStats();
            try (LoadedTensors loaded = Safetensors.load(ByteBuffer.wrap(file), device)) {
                accepted++;
                for (Tensor t : loaded.values()) {
                    assertTrue(t.numel() >= 1);
                }
            } catch (SafetensorsFormatException expected) {
                refused++;
            } catch (Throwable unexpected) {
                throw new AssertionError(failure(device, i, how, file, "threw " + unexpected), unexpected);
            }
            long grew = device.memoryStats().peakBytes() - base;
            if (grew > 2L * file.length) {
                throw new AssertionError(failure(device, i, how, file, "allocated " + grew + " bytes for a file of "
                        + file.length));
            }
        }
        assertTrue(refused > cases / 2, "most damaged files are refused: " + refused + " of " + cases);
        System.out.println("safetensors fuzz on " + device + ": " + cases + " cases, " + refused + " refused, " + accepted
                + " accepted (seed " + SEED + ")");
    }

    private static String failure(Device device, int index, CharSequence how, byte[] file, String what) {
        return "fuzz case " + index + " (seed " + SEED + ") on " + device + " " + what + "; mutations:" + how
                + "; bytes (base64): " + Base64.getEncoder().encodeToString(file);
    }

    static byte[] mutate(byte[] file, SplittableRandom random, StringBuilder how) {
        int kind = random.nextInt(9);
        how.append(' ').append(kind);
        switch (kind) {
            case 0 -> {
                if (file.length > 0) {
                    int at = random.nextInt(file.length);
                    file[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> {
                ByteBuffer length = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
                if (file.length >= 8) {
                    long old = length.getLong(0);
                    long[] choices = {random.nextLong(), old + random.nextInt(-64, 65), 0, -1, file.length, file.length - 8};
                    length.putLong(0, choices[random.nextInt(choices.length)]);
                }
            }
            case 2 -> file = java.util.Arrays.copyOf(file, random.nextInt(file.length + 1));
            case 3 -> {
                byte[] longer = java.util.Arrays.copyOf(file, file.length + 1 + random.nextInt(64));
                for (int i = file.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                file = longer;
            }
            case 4 -> file = editHeader(file, random, Mutation.NUMBER);
            case 5 -> file = editHeader(file, random, Mutation.DTYPE);
            case 6 -> file = editHeader(file, random, Mutation.CHARACTER);
            case 7 -> file = editHeader(file, random, Mutation.DUPLICATE);
            default -> {
                if (file.length > 16) {
                    int a = random.nextInt(file.length - 8);
                    int b = random.nextInt(file.length - 8);
                    int n = 1 + random.nextInt(8);
                    for (int i = 0; i < n; i++) {
                        byte t = file[a + i];
                        file[a + i] = file[b + i];
                        file[b + i] = t;
                    }
                }
            }
        }
        return file;
    }

    private enum Mutation { NUMBER, DTYPE, CHARACTER, DUPLICATE }

    /** Rewrites the JSON text and fixes up the length field, so the damage reaches the validation behind it. */
    private static byte[] editHeader(byte[] file, SplittableRandom random, Mutation mutation) {
        if (file.length < 8) {
            return file;
        }
        long declared = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (declared < 2 || declared > file.length - 8) {
            return file;
        }
        String header = new String(file, 8, (int) declared, StandardCharsets.ISO_8859_1);
        String edited = switch (mutation) {
            case NUMBER -> replaceNumber(header, random);
            case DTYPE -> header.replaceFirst("\"(F32|F16|BF16|F64)\"", "\"" + DTYPES[random.nextInt(DTYPES.length)] + "\"");
            case CHARACTER -> {
                int at = random.nextInt(header.length());
                String c = String.valueOf(HEADER_CHARS.charAt(random.nextInt(HEADER_CHARS.length())));
                yield random.nextBoolean() ? header.substring(0, at) + c + header.substring(at + 1)
                        : header.substring(0, at) + c + header.substring(at);
            }
            case DUPLICATE -> {
                int start = header.indexOf(",\"");
                int end = start < 0 ? -1 : header.indexOf('}', start);
                yield end < 0 ? header : header.substring(0, end + 1) + header.substring(start, end + 1)
                        + header.substring(end + 1);
            }
        };
        byte[] json = edited.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.writeBytes(json);
        out.write(file, 8 + (int) declared, file.length - 8 - (int) declared);
        return out.toByteArray();
    }

    private static String replaceNumber(String header, SplittableRandom random) {
        List<int[]> numbers = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[0-9]+").matcher(header);
        while (m.find()) {
            numbers.add(new int[] {m.start(), m.end()});
        }
        if (numbers.isEmpty()) {
            return header;
        }
        int[] span = numbers.get(random.nextInt(numbers.size()));
        long old = Long.parseLong(header.substring(span[0], Math.min(span[1], span[0] + 18)));
        String[] choices = {"0", "1", Long.toString(old + 1), Long.toString(Math.max(0, old - 1)), Long.toString(old * 2),
            "4294967296", "9223372036854775807", "99999999999999999999", Long.toString(random.nextLong(0, 1L << 40))};
        return header.substring(0, span[0]) + choices[random.nextInt(choices.length)] + header.substring(span[1]);
    }

    /** The golden files and one file mixing every loadable dtype, with metadata. */
    static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : GoldenParityTest.cases().keySet()) {
            ByteBuffer golden = GoldenParityTest.golden(name);
            byte[] bytes = new byte[golden.remaining()];
            golden.get(bytes);
            seeds.add(bytes);
        }
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"h\":" + SafetensorsTest.entry("F16", "[2,2]", 0, 8) + ","
                + "\"b\":" + SafetensorsTest.entry("BF16", "[3]", 8, 14) + ","
                + "\"d\":" + SafetensorsTest.entry("F64", "[1]", 14, 22) + ","
                + "\"f\":" + SafetensorsTest.entry("F32", "[]", 22, 26) + "}";
        byte[] data = new byte[26];
        new SplittableRandom(1).nextBytes(data);
        seeds.add(SafetensorsTest.file(header, data));
        return seeds;
    }
}
