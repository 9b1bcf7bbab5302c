package org.torchcl.backend.opencl;

import java.util.ArrayList;
import java.util.List;

/**
 * Tile parameters of {@code sgemm.cl} for one device: a work-group computes {@code tileM x tileN}
 * of C in {@code tileK} slices, each work-item {@code wptM x wptN} elements, reading local memory
 * {@code vec} floats at a time.
 */
public record GemmConfig(int tileM, int tileN, int tileK, int wptM, int wptN, int vec) {

    public GemmConfig {
        if (vec != 1 && vec != 4) {
            throw new IllegalArgumentException("vec must be 1 or 4, got " + vec);
        }
        if (tileM % (wptM * vec) != 0 || tileN % (wptN * vec) != 0 || wptM % vec != 0 || wptN % vec != 0
                || tileK < 1) {
            throw new IllegalArgumentException("inconsistent sgemm tiles: " + text(tileM, tileN, tileK, wptM, wptN, vec));
        }
    }

    /** The search space of the tuner, in the spirit of CLBlast's: 32..128-wide tiles, 2x2 to 8x8 per work-item. */
    public static List<GemmConfig> candidates() {
        List<GemmConfig> all = new ArrayList<>();
        int[][] tiles = {{128, 128}, {128, 64}, {64, 128}, {64, 64}, {32, 32}};
        int[][] perItem = {{8, 8}, {8, 4}, {4, 8}, {4, 4}, {2, 2}};
        for (int[] tile : tiles) {
            for (int[] wpt : perItem) {
                for (int tileK : new int[] {8, 16, 32}) {
                    for (int vec : new int[] {1, 4}) {
                        int threads = (tile[0] / wpt[0]) * (tile[1] / wpt[1]);
                        boolean shaped = tile[0] % (wpt[0] * vec) == 0 && tile[1] % (wpt[1] * vec) == 0
                                && wpt[0] % vec == 0 && wpt[1] % vec == 0;
                        if (shaped && threads >= 64 && threads <= 256) {
                            all.add(new GemmConfig(tile[0], tile[1], tileK, wpt[0], wpt[1], vec));
                        }
                    }
                }
            }
        }
        return all;
    }

    /** Whether {@code device} can run this configuration at all. */
    public boolean fits(OpenClDeviceInfo device) {
        return threads() <= device.maxWorkGroupSize() && localBytes() <= device.localMemBytes();
    }

    /**
     * The untuned default: 128x128 tiles with 8x8 float4-read work-items on a GPU (the shape that
     * carries the fastest published OpenCL sgemms on NVIDIA), 64x64 with 4x4 elsewhere, shrinking
     * until the device's limits are met.
     */
    static GemmConfig defaultFor(OpenClDeviceInfo device) {
        GemmConfig[] preferred = device.isGpu()
                ? new GemmConfig[] {new GemmConfig(128, 128, 16, 8, 8, 4), new GemmConfig(64, 64, 16, 4, 4, 4)}
                : new GemmConfig[] {new GemmConfig(64, 64, 16, 4, 4, 1)};
        for (GemmConfig config : preferred) {
            if (config.fits(device)) {
                return config;
            }
        }
        GemmConfig smallest = new GemmConfig(16, 16, 8, 2, 2, 1);
        return smallest.fits(device) ? smallest : new GemmConfig(4, 4, 4, 2, 2, 1);
    }

    int threadsM() {
        return tileM / wptM;
    }

    int threadsN() {
        return tileN / wptN;
    }

    int threads() {
        return threadsM() * threadsN();
    }

    /** The two padded tiles the kernel keeps in local memory. */
    long localBytes() {
        return (long) tileK * (tileM + vec + tileN + vec) * Float.BYTES;
    }

    String buildOptions() {
        return "-DTILE_M=" + tileM + " -DTILE_N=" + tileN + " -DTILE_K=" + tileK + " -DWPT_M=" + wptM
                + " -DWPT_N=" + wptN + " -DVEC=" + vec;
    }

    /** {@code 128x128x16/8x8/v4}: the form {@link #parse} reads. */
    @Override
    public String toString() {
        return text(tileM, tileN, tileK, wptM, wptN, vec);
    }

    private static String text(int tileM, int tileN, int tileK, int wptM, int wptN, int vec) {
        return tileM + "x" + tileN + "x" + tileK + "/" + wptM + "x" + wptN + "/v" + vec;
    }

    /** Reads {@link #toString()}'s form back. */
    public static GemmConfig parse(String text) {
        String[] parts = text.trim().split("[x/v]+");
        if (parts.length != 6) {
            throw new IllegalArgumentException("sgemm config '" + text + "' is not like 128x128x16/8x8/v4");
        }
        int[] values = new int[6];
        for (int i = 0; i < 6; i++) {
            try {
                values[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sgemm config '" + text + "' is not like 128x128x16/8x8/v4", e);
            }
        }
        return new GemmConfig(values[0], values[1], values[2], values[3], values[4], values[5]);
    }
}
