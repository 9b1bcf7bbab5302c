package org.torchcl.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.Torch;
import org.torchcl.nn.LazyLinear;
import org.torchcl.nn.Linear;
import org.torchcl.nn.LinearOptions;
import org.torchcl.nn.ReLU;
import org.torchcl.nn.Sequential;

class SafetensorsTest {

    @TempDir
    Path dir;

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void savedModelsLoadBackEqualIntoLazyModules(Device device) throws Exception {
        LinearOptions on = LinearOptions.defaults().withDevice(device);
        Path file = dir.resolve("mlp.safetensors");
        try (Sequential trained = new Sequential(new Linear(6, 5, on), new ReLU(), new LazyLinear(3, on))) {
            trained.initialize(2, 6);
            Safetensors.save(trained.stateDict(), Map.of("note", "round trip \"quoted\""), file);
            try (Sequential fresh = new Sequential(new LazyLinear(5, on), new ReLU(), new LazyLinear(3, on))) {
                long before = device.memoryStats().allocatedBytes();
                Safetensors.loadInto(fresh, file);
                assertEquals(before + (6 * 5 + 5 + 5 * 3 + 3) * 4, device.memoryStats().allocatedBytes(),
                        "the parameters, and no leftover copies");
                assertFalse(fresh.hasUninitializedParams());
                for (String name : trained.stateDict().keySet()) {
                    assertArrayEquals(trained.stateDict().get(name).toArray(), fresh.stateDict().get(name).toArray(), name);
                }
            }
        }
        assertEquals(Map.of("note", "round trip \"quoted\""), Safetensors.metadata(file));
        try (LoadedTensors loaded = Safetensors.load(file, device)) {
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(loaded.keySet()));
            assertEquals(device, loaded.get("0.weight").device());
        }
    }

    @Test
    void theFileLayoutIsTheReferenceOne() throws Exception {
        Path file = dir.resolve("layout.safetensors");
        try (Tensor a = Torch.tensor(Device.cpu(), new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             Tensor b = Torch.tensor(Device.cpu(), new float[] {-1.5f}, 1)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("a", a);
            tensors.put("b", b);
            Safetensors.save(tensors, file);
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = bytes.getLong(0);
        assertEquals(0, (8 + headerLength) % 8, "data 8-byte aligned");
        String header = new String(bytes.array(), 8, (int) headerLength, StandardCharsets.UTF_8).stripTrailing();
        assertEquals("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}}", header);
        assertEquals(8 + headerLength + 28, bytes.capacity());
        assertEquals(1f, bytes.getFloat((int) (8 + headerLength)));
        assertEquals(-1.5f, bytes.getFloat((int) (8 + headerLength + 24)));
    }

    @Test
    void halfAndBfloatKeepTheirDtypeAndDoubleBecomesFloat() throws Exception {
        short[] halves = {0x3C00, (short) 0xC000, 0x0001, 0x7BFF, 0x7C00, (short) 0xFC00, 0x3555, 0x0000, (short) 0x8000};
        float[] halfValues = {1f, -2f, 0x1p-24f, 65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            0.33325195f, 0f, -0f};
        ByteBuffer f16 = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short h : halves) {
            f16.putShort(h);
        }
        ByteBuffer bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3F80)
                .putShort((short) 0xC0A0);
        ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(Math.PI).putDouble(-1e300);
        byte[] file = file(Map.of(
                "h", entry("F16", "[" + halves.length + "]", 0, halves.length * 2),
                "b", entry("BF16", "[2]", halves.length * 2, halves.length * 2 + 4),
                "d", entry("F64", "[1,2]", halves.length * 2 + 4, halves.length * 2 + 20)),
                f16.array(), bf16.array(), f64.array());
        try (LoadedTensors loaded = Safetensors.load(ByteBuffer.wrap(file), Device.cpu())) {
            assertEquals(org.torchcl.DType.FLOAT16, loaded.get("h").dtype());
            assertEquals(org.torchcl.DType.BFLOAT16, loaded.get("b").dtype());
            assertEquals(org.torchcl.DType.FLOAT32, loaded.get("d").dtype());
            assertArrayEquals(halves, loaded.get("h").toShortBits());
            assertArrayEquals(halfValues, loaded.get("h").toArray());
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(loaded.get("h").toArray()[8]));
            assertArrayEquals(new float[] {1f, -5f}, loaded.get("b").toArray());
            assertArrayEquals(new float[] {(float) Math.PI, Float.NEGATIVE_INFINITY}, loaded.get("d").toArray());
            assertArrayEquals(new int[] {1, 2}, loaded.get("d").shape());
        }
    }

    /** A damaged header is refused with a message that names the problem, and nothing is allocated. */
    @Test
    void malformedFilesAreRefusedWithClearMessages() {
        byte[] four = {1, 2, 3, 4};
        assertRefused(new byte[3], "the file is 3 bytes");
        assertRefused(withLength(Long.MAX_VALUE, "{}"), "header length 9223372036854775807 is outside");
        assertRefused(withLength(-1, "{}"), "header length 18446744073709551615 is outside");
        assertRefused(withLength(1000, "{}"), "header length 1000 runs past the end of the file");
        assertRefused(file("[1]"), "the header must be a JSON object");
        assertRefused(file("{\"a\":"), "unexpected end of the header");
        assertRefused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{}}", four),
                "duplicate key \"a\"");
        assertRefused(file("{\"x\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", four),
                "tensor \"x\": unknown dtype \"F33\"");
        assertRefused(file("{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]),
                "tensor \"x\" is U8; torchcl loads F32, F16, BF16, I64, I32, BOOL and F64 (as float32)");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", four),
                "tensor \"x\": shape [2] of F32 needs 8 bytes but data_offsets [0, 4] span 4");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]),
                "the tensors cover 4 bytes but the data section after the header holds 8");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
                "tensor \"x\": data_offsets [4, 8] leave a gap after the data ending at 0");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "overlap");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", four),
                "data_offsets [8, 4] end before they begin");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],"
                + "\"data_offsets\":[0,4]}}", four), "shape dim 0 is 4294967296");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],"
                + "\"data_offsets\":[0,4]}}", four), "overflows 64-bit byte counts");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", four),
                "exactly dtype, shape and data_offsets");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", four),
                "only integers are allowed");
        assertRefused(file("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", four),
                "unexpected character '-'");
        assertRefused(file("{\"__metadata__\":{\"k\":1}}"), "__metadata__ entry \"k\" must be a string");
        assertRefused(file("[".repeat(20)), "nested deeper than 8");
        assertRefused(withLength(4, "\u00ff\u00fe{}"), "not valid UTF-8");
    }

    @Test
    void aTruncatedFileIsRefusedNamingThePath() throws Exception {
        Path file = dir.resolve("cut.safetensors");
        try (Tensor t = Torch.ones(Device.cpu(), 10)) {
            Safetensors.save(Map.of("t", t), file);
        }
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 4));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> Safetensors.load(file, Device.cpu()));
        assertTrue(e.getMessage().startsWith(file + ": the tensors cover 40 bytes but the data section"), e.getMessage());
    }

    @Test
    void aSavedFileGetsTheModeAnyNewFileGetsHere() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file modes");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path saved = dir.resolve("saved.safetensors");
        try (Tensor t = Torch.ones(Device.cpu(), 3)) {
            Safetensors.save(Map.of("t", t), saved);
        }
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(saved),
                "the umask's mode, not a temporary file's 0600");
    }

    @Test
    void aMissingFileIsNamedByItsAbsolutePath() {
        Path relative = Path.of("no-such-dir", "missing.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Safetensors.load(relative, Device.cpu()));
        assertEquals(relative.toAbsolutePath().toString(), e.getFile());
        assertTrue(e.getMessage().startsWith(relative.toAbsolutePath() + ": no such safetensors file"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Safetensors.metadata(relative));
    }

    @Test
    void anotherKindOfFileIsCalledNotASafetensorsFile() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "these are notes, not tensors; long enough for a length");
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> Safetensors.load(text, Device.cpu()));
        assertTrue(e.getMessage().startsWith(text.toAbsolutePath() + ": not a safetensors file: header length"),
                e.getMessage());
    }

    @Test
    void savingRefusesUninitializedModulesAndBadNames() throws Exception {
        try (LazyLinear lazy = new LazyLinear(3, LinearOptions.defaults().withDevice(Device.cpu()))) {
            assertThrows(IllegalStateException.class, () -> Safetensors.save(lazy.stateDict(), dir.resolve("x")));
        }
        try (Tensor t = Torch.ones(Device.cpu(), 1)) {
            assertThrows(IllegalArgumentException.class,
                    () -> Safetensors.save(Map.of("__metadata__", t), dir.resolve("y")));
        }
        assertFalse(Files.exists(dir.resolve("x")) || Files.exists(dir.resolve("y")));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "no partial files are left behind");
        }
    }

    private static void assertRefused(byte[] bytes, String expected) {
        long before = Device.cpu().memoryStats().allocatedBytes();
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> Safetensors.load(ByteBuffer.wrap(bytes), Device.cpu()).close());
        assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" should contain \"" + expected
                + "\"");
        assertEquals(before, Device.cpu().memoryStats().allocatedBytes());
    }

    static String entry(String dtype, String shape, int begin, int end) {
        return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /** A file whose header lists {@code entries} in map order, followed by the data. */
    static byte[] file(Map<String, String> entries, byte[]... data) {
        StringBuilder json = new StringBuilder("{");
        new java.util.TreeMap<>(entries).forEach((name, e) -> json.append(json.length() > 1 ? "," : "")
                .append('"').append(name).append("\":").append(e));
        return file(json.append('}').toString(), data);
    }

    static byte[] file(String header, byte[]... data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.writeBytes(json);
        for (byte[] d : data) {
            out.writeBytes(d);
        }
        return out.toByteArray();
    }

    static byte[] withLength(long length, String header) {
        byte[] json = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        return out.putLong(length).put(json).array();
    }
}
