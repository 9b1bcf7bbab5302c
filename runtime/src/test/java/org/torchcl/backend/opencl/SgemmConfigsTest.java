package org.torchcl.backend.opencl;

import static org.jocl.CL.CL_QUEUE_PROFILING_ENABLE;
import static org.jocl.CL.CL_QUEUE_PROPERTIES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.junit.jupiter.api.Test;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.ReferenceAccess;
import org.torchcl.TestBackends;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;

/** Every tile shape the tuner may pick computes the same products; configs round-trip as text. */
class SgemmConfigsTest {

    /**
     * Both read widths, square and oblong per-item blocks, every tileK, the largest and smallest
     * tiles (the CPU default 64x64x16/4x4/v1 runs in the conformance suite). Kept to four: PoCL
     * takes seconds to compile each for the CPU.
     */
    static final List<GemmConfig> REPRESENTATIVES = List.of(
            GemmConfig.parse("128x128x16/8x8/v4"),
            GemmConfig.parse("128x64x8/8x4/v4"),
            GemmConfig.parse("64x128x32/4x8/v1"),
            GemmConfig.parse("32x32x16/2x2/v1"));

    static final List<GemmShape> SHAPES = List.of(
            GemmShape.of(1, 1, 1),
            GemmShape.of(127, 129, 65).withTransB(true),
            GemmShape.of(33, 7, 300).withTransA(true),
            GemmShape.of(130, 260, 33).withTransA(true).withTransB(true).withBias(GemmShape.Bias.PER_COLUMN),
            GemmShape.of(16, 50, 27).withBias(GemmShape.Bias.PER_ROW).withBatch(3, 0, 27 * 50, 16 * 50));

    @Test
    void everyRepresentativeConfigMatchesTheReference() {
        for (Device device : OpenClFaultsTest.openClDevices()) {
            OpenClBackend backend = (OpenClBackend) TestBackends.of(device);
            for (GemmConfig config : REPRESENTATIVES) {
                if (!config.fits(backend.info())) {
                    continue;
                }
                for (GemmShape shape : SHAPES) {
                    runAndCheck(backend, config, shape);
                }
            }
        }
    }

    private static void runAndCheck(OpenClBackend backend, GemmConfig config, GemmShape s) {
        try {
            ReferenceAccess.checkGemm(backend, s, 21, (a, b, bias, c) -> {
                long nanos = backend.timeGemm(s, a, b, bias, c, config);
                assertTrue(nanos >= 0, "profiling gave " + nanos + " ns");
            });
        } catch (AssertionError e) {
            throw new AssertionError(config + ": " + e.getMessage(), e);
        }
    }

    /**
     * Timed runs profile on a queue of their own, and still see the operands that commands on the
     * shared queue (here fills, which return before they finish) have just written.
     */
    @Test
    void timedRunsProfileOnTheirOwnQueueAfterTheSharedOne() {
        for (Device device : OpenClFaultsTest.openClDevices()) {
            OpenClBackend backend = (OpenClBackend) TestBackends.of(device);
            int size = 256;
            Buffer a = backend.allocate(DType.FLOAT32, size * size);
            Buffer b = backend.allocate(DType.FLOAT32, size * size);
            Buffer c = backend.allocate(DType.FLOAT32, size * size);
            try {
                backend.fill(a, DType.FLOAT32, size * size, 1);
                backend.fill(b, DType.FLOAT32, size * size, 2);
                assertTrue(backend.timeGemm(GemmShape.of(size, size, size), a, b, null, c, backend.gemmConfig()) >= 0);
                float[] product = new float[size * size];
                backend.read(c, product, product.length);
                float[] expected = new float[size * size];
                Arrays.fill(expected, 2f * size);
                assertArrayEquals(expected, product);
                assertEquals(0, sharedQueueProperties(backend) & CL_QUEUE_PROFILING_ENABLE,
                        "the shared queue records no timestamps");
            } finally {
                backend.free(a);
                backend.free(b);
                backend.free(c);
            }
        }
    }

    private static long sharedQueueProperties(OpenClBackend backend) {
        long[] properties = new long[1];
        assertEquals(CL.CL_SUCCESS, CL.clGetCommandQueueInfo(backend.context().queue(), CL_QUEUE_PROPERTIES,
                Sizeof.cl_ulong, Pointer.to(properties), null));
        return properties[0];
    }

    @Test
    void configsRoundTripAsTextAndRejectNonsense() {
        for (GemmConfig config : GemmConfig.candidates()) {
            assertEquals(config, GemmConfig.parse(config.toString()));
            assertTrue(config.threads() >= 64 && config.threads() <= 256, config.toString());
        }
        assertTrue(GemmConfig.candidates().size() >= 24, "a few dozen candidates: " + GemmConfig.candidates().size());
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.parse("64x64"));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.parse("64x64x16/3x4/v1"));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.parse("64x64x16/4x4/v2"));
    }
}
