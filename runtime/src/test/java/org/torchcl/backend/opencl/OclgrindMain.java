package org.torchcl.backend.opencl;

import java.util.List;
import org.torchcl.DType;
import org.torchcl.Device;
import org.torchcl.GemmProbe;
import org.torchcl.Generator;
import org.torchcl.PoolOptions;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/**
 * The child JVM of {@link OclgrindTest}: runs every OpenCL kernel once or a few times on
 * {@link Device#opencl()} (Oclgrind's simulator there) with small shapes that reach each launch
 * path and each edge (ragged tiles, rows that do and do not fit local memory, the two-stage
 * reduction, out-of-range gather indices). It checks no values (the conformance suite does);
 * Oclgrind reports bad accesses, races and divergence on stderr, which the test reads. Each step is
 * named on stdout first so that a report can be traced to it.
 */
public final class OclgrindMain {

    private static final List<DType> FLOATS = List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16);
    private static final List<DType> ALL = List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16, DType.INT64,
            DType.INT32, DType.BOOL);

    private OclgrindMain() {
    }

    public static void main(String[] args) {
        Device d = Device.opencl();
        System.out.println("oclgrind: device " + d);
        Generator g = new Generator(7);
        // Every tensor is closed by a scope on this thread: a buffer the garbage collector's cleaner
        // thread releases while a kernel runs crashes Oclgrind's race detector (not thread-safe).
        if (args.length > 0 && args[0].equals("canary")) {
            canary();
            return;
        }
        try (TensorScope outer = TensorScope.open()) {
            try {
                run(d, g);
            } finally {
                if (scope != null) {
                    scope.close();
                }
            }
        }
    }

    /** A kernel with an out-of-bounds write and a local-memory race, so the test knows reports reach it. */
    @SuppressWarnings("deprecation") // clCreateCommandQueue: Oclgrind's device is OpenCL 1.2, which has only this one
    private static void canary() {
        String source = "__kernel void canary(__global float* out) {\n"
                + "  __local float shared[1];\n"
                + "  shared[0] = get_local_id(0);\n"
                + "  out[get_global_id(0) + 1] = shared[0];\n"
                + "}\n";
        org.jocl.CL.setExceptionsEnabled(true);
        org.jocl.cl_platform_id[] platforms = new org.jocl.cl_platform_id[1];
        org.jocl.CL.clGetPlatformIDs(1, platforms, null);
        org.jocl.cl_device_id[] devices = new org.jocl.cl_device_id[1];
        org.jocl.CL.clGetDeviceIDs(platforms[0], org.jocl.CL.CL_DEVICE_TYPE_ALL, 1, devices, null);
        org.jocl.cl_context context = org.jocl.CL.clCreateContext(null, 1, devices, null, null, null);
        org.jocl.cl_command_queue queue = org.jocl.CL.clCreateCommandQueue(context, devices[0], 0, null);
        org.jocl.cl_program program = org.jocl.CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        org.jocl.CL.clBuildProgram(program, 0, null, null, null, null);
        org.jocl.cl_kernel kernel = org.jocl.CL.clCreateKernel(program, "canary", null);
        org.jocl.cl_mem out = org.jocl.CL.clCreateBuffer(context, org.jocl.CL.CL_MEM_READ_WRITE, 4L * 4, null, null);
        org.jocl.CL.clSetKernelArg(kernel, 0, org.jocl.Sizeof.cl_mem, org.jocl.Pointer.to(out));
        org.jocl.CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {4}, new long[] {4}, 0, null, null);
        org.jocl.CL.clFinish(queue);
        System.out.println("canary ran");
    }

    private static void run(Device d, Generator g) {
        Tensor x = Torch.empty(d, 3, 5).fillUniform(-2f, 2f, g);
        Tensor image = Torch.empty(d, 2, 4, 7, 6).fillUniform(-1f, 1f, g);
        step("philox uniform/normal/bits");
        Torch.empty(d, 3, 5).fillUniform(-2f, 2f, g).toArray();
        Torch.empty(d, 37).fillNormal(0f, 1f, g).toArray();
        Torch.empty(d, 9).fillRandomBits(g).toArray();

        for (DType t : ALL) {
            step("copy/cast strided to and from " + t);
            Tensor c = x.t().to(t);
            c.to(DType.FLOAT32).toArray();
            c.narrow(0, 1, 3).contiguous().to(DType.FLOAT32).toArray();
            x.unsqueeze(0).expand(2, 3, 5).permute(2, 0, 1).to(t).to(DType.FLOAT32).toArray();
        }

        for (DType t : FLOATS) {
            step("unary " + t);
            Tensor y = x.to(t).t();
            for (Tensor r : List.of(y.neg(), y.abs(), y.exp(), y.abs().log(), y.abs().sqrt(), y.abs().rsqrt(),
                    y.erf(), y.tanh(), y.sigmoid(), y.relu(), y.silu(), y.gelu(), y.gelu("tanh"),
                    Torch.reciprocal(y), Torch.clamp(y, -0.5, 0.5), y.pow(2.0))) {
                r.to(DType.FLOAT32).toArray();
            }
        }
        for (DType t : List.of(DType.INT32, DType.INT64)) {
            step("unary " + t);
            Tensor y = x.mul(3).to(t);
            y.neg().toArray();
            // Not abs: Oclgrind (Debian's) cannot run the llvm.abs.i32 intrinsic clang makes of it.
            Torch.clamp(y, -2, 2).toArray();
        }

        for (DType t : List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16, DType.INT32, DType.INT64)) {
            step("binary with broadcast " + t);
            Tensor a = x.mul(3).to(t);
            Tensor row = Torch.empty(d, 1, 5).fillUniform(1f, 2f, g).to(t);
            Tensor col = Torch.empty(d, 3, 1).fillUniform(1f, 2f, g).to(t);
            for (Tensor r : List.of(a.add(row), a.sub(col), a.mul(row.t().t()), a.div(col), a.div(row, "floor"),
                    a.div(row, "trunc"), a.maximum(row), a.minimum(col), row.add(col), a.add(2))) {
                r.to(DType.FLOAT32).toArray();
            }
            for (Tensor r : List.of(a.eq(row), a.ne(col), a.lt(row), a.le(2), a.gt(col), a.ge(row))) {
                r.toBooleanArray();
            }
            if (t.isFloatingPoint()) {
                a.abs().pow(row).to(DType.FLOAT32).toArray();
            }
        }

        for (DType t : ALL) {
            step("where " + t);
            Tensor cond = x.gt(0);
            Tensor a = x.to(t);
            Tensor b = Torch.zeros(d, t, 1, 5);
            Torch.where(cond, a, b).to(DType.FLOAT32).toArray();
            Torch.where(cond.t().t(), b, a.t().t()).to(DType.FLOAT32).toArray();
            a.maskedFill(cond, 1).to(DType.FLOAT32).toArray();
        }

        // Rows of 5 (serial), 200 (one work-group per row), 3 rows of 40000 (the two-stage path:
        // chunks then partials), and a sum over a leading dim.
        int[][] shapes = {{3, 5}, {4, 200}, {3, 40000}};
        for (DType t : List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16, DType.INT32, DType.INT64, DType.BOOL)) {
            for (int[] shape : shapes) {
                step("reduce " + t + " " + shape[0] + "x" + shape[1]);
                Tensor r = Torch.empty(d, shape).fillUniform(-1f, 1f, g);
                Tensor s = t == DType.BOOL ? r.gt(0) : r.mul(t.isFloatingPoint() ? 1 : 5).to(t);
                s.sum(1).to(DType.FLOAT32).toArray();
                s.amax(1).to(DType.FLOAT32).toArray();
                s.amin(1).to(DType.FLOAT32).toArray();
                s.prod(1).to(DType.FLOAT32).toArray();
                s.argmax(1).toLongArray();
                s.argmin(1).toLongArray();
                if (t.isFloatingPoint()) {
                    s.mean(1).to(DType.FLOAT32).toArray();
                    s.var(1, true, false).to(DType.FLOAT32).toArray();
                }
                s.sum(0).to(DType.FLOAT32).toArray();
                s.t().sum(1).to(DType.FLOAT32).toArray();
            }
        }
        step("reduce whole tensor");
        x.sum().item();
        x.argmax().itemLong();
        x.var(true).item();

        // 3x5 and 2x1000 rows fit local memory; 2x5000 (capacity 8192 floats) does not.
        for (DType t : FLOATS) {
            for (int[] shape : new int[][] {{3, 5}, {2, 1000}, {2, 5000}}) {
                step("softmax/logSoftmax/layerNorm " + t + " " + shape[0] + "x" + shape[1]);
                Tensor r = Torch.empty(d, shape).fillUniform(-3f, 3f, g).to(t);
                r.softmax(1).to(DType.FLOAT32).toArray();
                r.logSoftmax(1).to(DType.FLOAT32).toArray();
                Tensor w = Torch.empty(d, shape[1]).fillUniform(0f, 1f, g).to(t);
                Tensor b = Torch.empty(d, shape[1]).fillUniform(0f, 1f, g).to(t);
                Torch.layerNorm(r, new int[] {shape[1]}, w, b, 1e-5).to(DType.FLOAT32).toArray();
                Torch.layerNorm(r, new int[] {shape[1]}, null, null, 1e-5).to(DType.FLOAT32).toArray();
            }
        }

        for (DType t : List.of(DType.FLOAT32, DType.FLOAT16, DType.INT64, DType.BOOL)) {
            step("gather in range " + t);
            Tensor src = x.mul(4).to(t);
            Tensor index = Torch.tensor(d, new long[] {0, 2, 1, 0, 2, 2, 1, 0}, 2, 4);
            src.gather(1, index).to(DType.FLOAT32).toArray();
            src.gather(0, Torch.tensor(d, new long[] {2, 0, 1}, 1, 3)).to(DType.FLOAT32).toArray();
            Torch.indexSelect(src, 1, Torch.tensor(d, new long[] {4, 0}, 2)).to(DType.FLOAT32).toArray();
            Torch.embedding(Torch.tensor(d, new long[] {2, 0, 1}, 3), x).toArray();
        }
        step("gather out of range");
        for (long bad : new long[] {5, -6, 1L << 40}) {
            try {
                x.gather(1, Torch.tensor(d, new long[] {0, bad, 1}, 1, 3)).toArray();
                throw new IllegalStateException("gather with index " + bad + " did not fail");
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                System.out.println("  rejected as expected: " + e.getMessage());
            }
        }

        step("conv2d (im2col + batched gemm) and grouped conv2d");
        Tensor w1 = Torch.empty(d, 3, 4, 3, 3).fillUniform(-1f, 1f, g);
        Torch.conv2d(image, w1, Torch.ones(d, 3), 1, 1).toArray();
        Torch.conv2d(image, w1, null, new int[] {2, 1}, new int[] {0, 2}, new int[] {1, 2}, 1).toArray();
        Tensor wg = Torch.empty(d, 4, 2, 3, 2).fillUniform(-1f, 1f, g);
        Torch.conv2d(image, wg, Torch.ones(d, 4), new int[] {1, 2}, new int[] {1, 0}, new int[] {2, 1}, 2).toArray();
        Tensor wd = Torch.empty(d, 8, 1, 3, 3).fillUniform(-1f, 1f, g);
        Torch.conv2d(image, wd, null, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 4).toArray();

        step("pool2d every mode");
        Torch.maxPool2d(image, 3, 2, 1).toArray();
        Torch.maxPool2d(image, PoolOptions.of(2, 3).withStride(2, 1).withPadding(1, 0, 0, 1).withDilation(2)
                .withCeilMode(true)).toArray();
        Torch.avgPool2d(image, 3, 2, 1).toArray();
        Torch.avgPool2d(image, new PoolOptions(3, 2, 2, 2, 1, 1, 1, 1, 1, 1, true, false)).toArray();
        Torch.adaptiveAvgPool2d(image, 3, 4).toArray();
        Torch.adaptiveAvgPool2d(image, 1, 1).toArray();

        int[][] products = {{1, 1, 1}, {17, 13, 7}};
        // Every tile configuration: a 1x1x1 product, a ragged one smaller than a tile, and one just
        // above a tile in every dimension (B transposed or not in turn).
        List<String> configs = GemmProbe.tileConfigs(d);
        for (int i = 0; i < configs.size(); i++) {
            String tiles = configs.get(i);
            GemmConfig config = GemmConfig.parse(tiles);
            int[][] sizes = {products[0], products[1], {config.tileM() + 1, config.tileN() + 1, config.tileK() + 1}};
            for (int j = 0; j < sizes.length; j++) {
                int[] s = sizes[j];
                boolean transB = (i + j) % 2 == 1;
                step("sgemm " + tiles + " " + s[0] + "x" + s[1] + "x" + s[2] + (transB ? " transB" : ""));
                try (GemmProbe probe = GemmProbe.open(d, s[0], s[1], s[2], transB, 3)) {
                    probe.run(tiles);
                    probe.result();
                }
            }
        }
        step("gemm default path: matmul, bmm, linear (gemm_small_m for m <= 16)");
        for (int m : new int[] {1, 5, 16, 17}) {
            Tensor in = Torch.empty(d, m, 23).fillUniform(-1f, 1f, g);
            Torch.linear(in, Torch.empty(d, 11, 23).fillUniform(-1f, 1f, g), Torch.ones(d, 11)).toArray();
            Torch.linear(in, Torch.empty(d, 70, 23).fillUniform(-1f, 1f, g), null).toArray();
        }
        Torch.matmul(Torch.empty(d, 9, 4).fillUniform(-1f, 1f, g), Torch.empty(d, 4, 3).fillUniform(-1f, 1f, g)).toArray();
        Torch.bmm(Torch.empty(d, 2, 9, 4).fillUniform(-1f, 1f, g),
                Torch.empty(d, 2, 3, 4).fillUniform(-1f, 1f, g).transpose(1, 2)).toArray();
        step("done");
    }

    private static TensorScope scope;
    private static long stepStart = System.nanoTime();

    /** Names the step on stdout with the seconds the previous one took, and closes its tensors. */
    private static void step(String what) {
        if (scope != null) {
            scope.close();
        }
        scope = TensorScope.open();
        System.out.printf("  (%.1f s)%n", (System.nanoTime() - stepStart) / 1e9);
        stepStart = System.nanoTime();
        System.out.println("oclgrind step: " + what);
        System.out.flush();
    }
}
