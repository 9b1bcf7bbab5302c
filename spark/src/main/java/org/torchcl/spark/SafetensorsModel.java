package org.torchcl.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;
import org.torchcl.nn.Module;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;

/**
 * A module tree built by a serializable factory, its weights loaded from the bundle's
 * {@value #WEIGHTS}: input column 0 ({@code array<float>} of {@code prod(inputShape)} values per row)
 * becomes a {@code [rows, ...inputShape]} tensor, and each row of {@code forward}'s output, flattened,
 * is that row's output.
 */
public final class SafetensorsModel implements ModelLoader {

    private static final long serialVersionUID = 1L;

    /** The bundle file holding the state dict. */
    public static final String WEIGHTS = "model.safetensors";

    /** Builds the module tree, weights unset, on a device: {@code MyNet::new}, or a lambda. */
    @FunctionalInterface
    public interface ModuleFactory extends Serializable {
        Module create(Device device);
    }

    private final ModuleFactory factory;
    private final int[] inputShape;

    private SafetensorsModel(ModuleFactory factory, int[] inputShape) {
        this.factory = factory;
        this.inputShape = inputShape;
    }

    /** The model {@code factory} builds, fed rows of shape {@code inputShape} (without the batch dim). */
    public static SafetensorsModel of(ModuleFactory factory, int... inputShape) {
        if (factory == null || inputShape == null || inputShape.length == 0
                || Arrays.stream(inputShape).anyMatch(size -> size <= 0)) {
            throw new IllegalArgumentException("a module factory and a non-empty input shape of positive sizes are"
                    + " needed; got factory=" + factory + ", inputShape=" + Arrays.toString(inputShape));
        }
        return new SafetensorsModel(factory, inputShape.clone());
    }

    @Override
    public BatchModel load(ModelBundle bundle, Device device) throws IOException {
        Module module = factory.create(device);
        try (LoadedTensors weights = Safetensors.load(bundle.file(WEIGHTS), device)) {
            module.loadStateDict(weights);
            module.eval();
        } catch (IOException | RuntimeException e) {
            module.close();
            throw e;
        }
        return new Loaded(module, device, inputShape);
    }

    private record Loaded(Module module, Device device, int[] inputShape) implements BatchModel {

        // The scope is never named: it exists to close every tensor forward makes on this thread.
        @SuppressWarnings("try")
        @Override
        public float[][] score(InputBatch batch) {
            int rows = batch.size();
            int width = Arrays.stream(inputShape).reduce(1, Math::multiplyExact);
            float[] flat = batch.floats(0, width);
            int[] shape = new int[inputShape.length + 1];
            shape[0] = rows;
            System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
            float[] output;
            try (TensorScope scope = TensorScope.open()) {
                Tensor result = module.forward(Torch.tensor(device, flat, shape));
                output = result.toArray();
            }
            int outputWidth = output.length / rows;
            float[][] perRow = new float[rows][];
            for (int r = 0; r < rows; r++) {
                perRow[r] = Arrays.copyOfRange(output, r * outputWidth, (r + 1) * outputWidth);
            }
            return perRow;
        }

        @Override
        public void close() {
            module.close();
        }
    }
}
