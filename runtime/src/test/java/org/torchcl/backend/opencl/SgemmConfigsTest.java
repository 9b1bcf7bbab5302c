package org.torchcl.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.torchcl.Device;
import org.torchcl.ReferenceAccess;
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
            OpenClBackend backend = (OpenClBackend) device.backend();
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
