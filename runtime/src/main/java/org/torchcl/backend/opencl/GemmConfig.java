package org.torchcl.backend.opencl;

/**
 * Tile parameters of {@code sgemm.cl} for one device: a work-group computes {@code tileM x tileN}
 * of C in {@code tileK} slices, each work-item {@code wptM x wptN} elements.
 */
record GemmConfig(int tileM, int tileN, int tileK, int wptM, int wptN) {

    /** Largest first; the first that fits the device's work-group and local-memory limits wins. */
    private static final GemmConfig[] CANDIDATES = {
        new GemmConfig(64, 64, 16, 4, 4),
        new GemmConfig(32, 32, 16, 4, 4),
        new GemmConfig(16, 16, 8, 2, 2),
    };

    static GemmConfig forDevice(OpenClDeviceInfo device) {
        for (GemmConfig candidate : CANDIDATES) {
            if (candidate.threads() <= device.maxWorkGroupSize() && candidate.localBytes() <= device.localMemBytes()) {
                return candidate;
            }
        }
        return CANDIDATES[CANDIDATES.length - 1];
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
        return (long) tileK * (tileM + 1 + tileN + 1) * Float.BYTES;
    }

    String buildOptions() {
        return "-DTILE_M=" + tileM + " -DTILE_N=" + tileN + " -DTILE_K=" + tileK + " -DWPT_M=" + wptM
                + " -DWPT_N=" + wptN;
    }
}
