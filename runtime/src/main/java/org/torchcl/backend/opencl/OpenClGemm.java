package org.torchcl.backend.opencl;

import static org.jocl.CL.CL_PROFILING_COMMAND_END;
import static org.jocl.CL.CL_PROFILING_COMMAND_START;
import static org.jocl.CL.CL_QUEUE_PROFILING_ENABLE;
import static org.torchcl.backend.opencl.OpenClContext.roundUp;

import java.io.IOException;
import java.util.Optional;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.backend.Buffer;
import org.torchcl.backend.GemmShape;

/**
 * sgemm on one device: the tiled {@code sgemm.cl} with the tiles in use (tuned and stored in
 * {@link GemmTuning}, else {@link GemmConfig}'s default), {@code gemm_small_m.cl} for a Linear
 * layer at a small batch, and the kernel timings the tuner and the benchmarks compare. Timed runs
 * go to a queue of their own with profiling on, so the in-order queue every other command shares
 * records no timestamps.
 */
final class OpenClGemm {

    private static final Logger LOG = LoggerFactory.getLogger(OpenClGemm.class);
    /** The shape of {@code gemm_small_m.cl}: LANES x ROWS work-items, up to MAX_M rows of A. */
    private static final int SMALL_M_LANES = 32;
    private static final int SMALL_M_ROWS = 8;
    private static final int SMALL_M_MAX = 16;

    private final OpenClContext context;
    private final OpenClDeviceInfo info;
    private final boolean smallMFits;
    private volatile GemmConfig config;
    /** Made by the first timed run; guarded by {@code this}. */
    private cl_command_queue profilingQueue;

    OpenClGemm(OpenClContext context) {
        this.context = context;
        this.info = context.info();
        Optional<GemmConfig> tuned = GemmTuning.stored(context.cache(), info);
        this.config = tuned.orElseGet(() -> GemmConfig.defaultFor(info));
        this.smallMFits = info.maxWorkGroupSize() >= SMALL_M_LANES * SMALL_M_ROWS
                && info.localMemBytes() >= (long) SMALL_M_ROWS * SMALL_M_MAX * (SMALL_M_LANES + 1) * Float.BYTES;
        LOG.debug("sgemm on {} uses tiles {} ({})", context.device(), config, tuned.isPresent() ? "tuned" : "default");
    }

    /** {@code c = op(a) op(b) (+ bias)} on the in-order queue. */
    void run(GemmShape s, Buffer a, Buffer b, Buffer bias, Buffer c) {
        if (usesSmallM(s)) {
            long[] global = {roundUp(s.n(), SMALL_M_ROWS) * SMALL_M_LANES};
            long[] local = {SMALL_M_ROWS * SMALL_M_LANES};
            context.launch(Program.GEMM_SMALL_M, "", "gemm_small_m", global, local,
                    s.m(), s.n(), s.k(), a, b, c, s.bias() == GemmShape.Bias.NONE ? null : bias, s.bias().ordinal());
        } else {
            tiled(context.queue(), null, s, a, b, bias, c, config);
        }
    }

    /**
     * A Linear layer at a small batch (x W^T with few rows) goes to {@code gemm_small_m.cl}, which
     * reads each weight row once; the tiled kernel would leave most of every tile idle.
     */
    private boolean usesSmallM(GemmShape s) {
        return s.m() <= SMALL_M_MAX && s.transB() && !s.transA() && s.batch() == 1 && smallMFits;
    }

    /**
     * Runs one gemm with {@code config} and returns the kernel's own run time from its profiling
     * event, in nanoseconds: what the tuner and the benchmarks compare.
     */
    long time(GemmShape s, Buffer a, Buffer b, Buffer bias, Buffer c, GemmConfig config) {
        if (!config.fits(info)) {
            throw new IllegalArgumentException("sgemm config " + config + " does not fit " + context.device()
                    + " (work-group " + config.threads() + " of " + info.maxWorkGroupSize() + ", local "
                    + config.localBytes() + " of " + info.localMemBytes() + " bytes)");
        }
        // The profiling queue does not wait for the in-order one: the operands written there must be
        // complete first. Waiting for the event in turn completes the product before anything
        // enqueued after this returns.
        context.finish();
        cl_event event = new cl_event();
        tiled(profilingQueue(), event, s, a, b, bias, c, config);
        try {
            context.check(CL.clWaitForEvents(1, new cl_event[] {event}), "clWaitForEvents");
            long[] start = new long[1];
            long[] end = new long[1];
            context.check(CL.clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, Sizeof.cl_ulong,
                    Pointer.to(start), null), "clGetEventProfilingInfo");
            context.check(CL.clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, Sizeof.cl_ulong,
                    Pointer.to(end), null), "clGetEventProfilingInfo");
            return end[0] - start[0];
        } finally {
            CL.clReleaseEvent(event);
        }
    }

    private synchronized cl_command_queue profilingQueue() {
        if (profilingQueue == null) {
            profilingQueue = context.createQueue(CL_QUEUE_PROFILING_ENABLE);
        }
        return profilingQueue;
    }

    private void tiled(cl_command_queue queue, cl_event event, GemmShape s, Buffer a, Buffer b, Buffer bias, Buffer c,
                       GemmConfig g) {
        long[] global = {
            roundUp((long) s.n(), g.tileN()) / g.wptN(),
            roundUp((long) s.m(), g.tileM()) / g.wptM(),
            s.batch()
        };
        long[] local = {g.threadsN(), g.threadsM(), 1};
        context.launch(queue, event, Program.SGEMM, g.buildOptions(), "sgemm", global, local,
                s.m(), s.n(), s.k(),
                a, s.strideA(), s.transA() ? 1 : 0,
                b, s.strideB(), s.transB() ? 1 : 0,
                c, s.strideC(),
                s.bias() == GemmShape.Bias.NONE ? null : bias, s.bias().ordinal());
    }

    /** The sgemm tiles in use: the tuned ones for this device when stored, else {@link GemmConfig}'s default. */
    GemmConfig config() {
        return config;
    }

    /** Switches sgemm to {@code config} for this JVM and, with {@code persist}, for later ones. */
    void use(GemmConfig config, boolean persist) throws IOException {
        if (!config.fits(info)) {
            throw new IllegalArgumentException("sgemm config " + config + " does not fit " + context.device());
        }
        this.config = config;
        if (persist) {
            GemmTuning.store(context.cache(), info, config);
        }
        LOG.info("sgemm on {} now uses tiles {}{}", context.device(), config, persist ? " (stored)" : "");
    }
}
