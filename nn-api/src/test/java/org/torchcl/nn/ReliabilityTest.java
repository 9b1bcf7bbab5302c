package org.torchcl.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;
import org.torchcl.DeviceOutOfMemoryException;
import org.torchcl.TestDevices;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/**
 * What a long-running inference service needs: flat memory over many iterations, the same answers
 * from many threads, and failures that leave models usable.
 */
class ReliabilityTest {

    /**
     * Iterations of the inference loop on the CPU backend and on an OpenCL device; the README's
     * reliability section quotes both. PoCL launches every kernel through a driver on the same two
     * cores, about 4 ms an inference, so it runs fewer: a leak of one tensor an iteration shows at
     * the first.
     */
    static final int CPU_ITERATIONS = 20_000;
    static final int OPENCL_ITERATIONS = 5_000;
    /** The long loop says how far it got this often, so a slow run is not a silent one. */
    static final int PROGRESS_EVERY = 2_500;
    private static final Logger LOG = LoggerFactory.getLogger(ReliabilityTest.class);
    /** Threads sharing one model. */
    static final int THREADS = 8;
    static final int ROUNDS_PER_THREAD = 25;

    static Stream<Device> devices() {
        return TestDevices.all();
    }

    /** SimpleNet's layers at batch 1: Conv2d(3, 64, 5) -> flatten -> LazyLinear(10). */
    static Sequential simpleNet(Device device) {
        return new Sequential(new Conv2d(3, 64, 5, Conv2dOptions.defaults().withDevice(device)), new ReLU(),
                new Flatten(), new LazyLinear(10, LinearOptions.defaults().withDevice(device)));
    }

    @ParameterizedTest
    @MethodSource("devices")
    void memoryStaysFlatOverThousandsOfInferences(Device device) {
        int iterations = device.isCpu() ? CPU_ITERATIONS : OPENCL_ITERATIONS;
        try (Sequential model = simpleNet(device); Tensor x = Torch.randn(device, 1, 3, 32, 32)) {
            model.forward(x).close();
            long steady = device.memoryStats().allocatedBytes();
            for (int i = 0; i < iterations; i++) {
                if (i % 2 == 0) {
                    try (Tensor y = model.forward(x)) {
                        assertEquals(10, y.toArray().length);
                    }
                } else {
                    try (TensorScope scope = TensorScope.open()) {
                        model.forward(x).relu();
                    }
                }
                if (device.memoryStats().allocatedBytes() != steady) {
                    throw new AssertionError("iteration " + i + ": " + device.memoryStats().allocatedBytes()
                            + " bytes allocated, " + steady + " before the loop");
                }
                if ((i + 1) % PROGRESS_EVERY == 0) {
                    LOG.info("{}: {} of {} inferences, {} bytes allocated after each", device, i + 1, iterations, steady);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void eightThreadsSharingOneModelGetTheSingleThreadAnswers(Device device) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Tensor> inputs = new ArrayList<>();
        try (Sequential model = simpleNet(device)) {
            List<float[]> expected = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                inputs.add(Torch.randn(device, 2, 3, 32, 32));
                try (Tensor y = model.forward(inputs.get(t))) {
                    expected.add(y.toArray());
                }
            }
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                runs.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < ROUNDS_PER_THREAD; round++) {
                        try (Tensor y = model.forward(inputs.get(thread))) {
                            assertArrayEquals(expected.get(thread), y.toArray(), "thread " + thread + ", round " + round);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
            inputs.forEach(Tensor::close);
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aFailedMaterializationLeavesTheLayerUninitializedAndRetryable(Device device) {
        try (LazyLinear lazy = new LazyLinear(1 << 20, LinearOptions.defaults().withDevice(device));
             Tensor huge = Torch.zeros(device, 1, 1 << 15);
             Tensor small = Torch.zeros(device, 1, 3)) {
            long before = device.memoryStats().allocatedBytes();
            // 2^35 floats (128 GiB): more than any single buffer either backend will make. 2^31 floats
            // (8 GiB) was not: PoCL's limit follows the machine's memory (exactly 8 GiB on a 24 GiB
            // machine with most of it free), and an H200 takes 35 GB in one buffer.
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> lazy.forward(huge));
            assertEquals(128L << 30, e.requestedBytes());
            assertTrue(lazy.hasUninitializedParams());
            assertEquals(0, lazy.inFeatures());
            assertEquals(before, device.memoryStats().allocatedBytes(), "nothing half-allocated is left");
            try (Tensor y = lazy.forward(small)) {
                assertEquals(3, lazy.inFeatures());
                assertArrayEquals(new int[] {1, 1 << 20}, y.shape());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aLayerMaterializedInsideAScopeKeepsItsWeights(Device device) {
        try (LazyLinear lazy = new LazyLinear(4, LinearOptions.defaults().withDevice(device))) {
            try (TensorScope scope = TensorScope.open(); Tensor x = Torch.ones(device, 2, 3)) {
                lazy.forward(x);
            }
            assertFalse(lazy.weight().data().isClosed());
            try (Tensor x = Torch.ones(device, 2, 3); Tensor y = lazy.forward(x)) {
                assertArrayEquals(new int[] {2, 4}, y.shape());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void nanAndInfinityPropagateAsInPyTorch(Device device) {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        try (Tensor x = Torch.tensor(device, new float[] {nan, 1, -inf, 2}, 2, 2);
             Tensor w = Torch.tensor(device, new float[] {1, 0, 0, 1}, 2, 2);
             Tensor y = Torch.linear(x, w, null);
             Tensor r = x.relu()) {
            float[] out = y.toArray();
            assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[1]), "NaN * 0 is NaN, as in IEEE and PyTorch");
            assertEquals(Float.NEGATIVE_INFINITY, out[2]);
            assertTrue(Float.isNaN(out[3]), "-inf * 0 is NaN");
            float[] relu = r.toArray();
            assertTrue(Float.isNaN(relu[0]));
            assertEquals(0f, relu[2]);
        }
    }
}
