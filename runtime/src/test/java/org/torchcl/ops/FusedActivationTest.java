package org.torchcl.ops;

import static org.torchcl.ops.OpsReference.assertClose;
import static org.torchcl.ops.OpsReference.values;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Activation;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/** linear and conv2d with an activation applied as they store their output, against the two ops one after the other. */
class FusedActivationTest {

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void linearWithActivationEqualsLinearThenActivation(Device device) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor bias = OpsReference.tensor(device, OpsReference.randn(2, 70), 70);
            Tensor weight = OpsReference.tensor(device, OpsReference.randn(3, 70 * 45), 70, 45);
            // 40 rows take the packed path, 3 rows the few-rows path of the CPU backend.
            for (int rows : new int[] {40, 3}) {
                Tensor x = OpsReference.tensor(device, OpsReference.randn(rows, rows * 45), rows, 45);
                Tensor plain = Torch.linear(x, weight, bias);
                assertClose("relu, " + rows + " rows", values(plain.relu()),
                        Torch.linear(x, weight, bias, Activation.RELU), 1e-6, 1e-6);
                assertClose("gelu, " + rows + " rows", values(plain.gelu()),
                        Torch.linear(x, weight, bias, Activation.GELU), 1e-6, 1e-6);
                assertClose("gelu tanh, " + rows + " rows", values(plain.gelu("tanh")),
                        Torch.linear(x, weight, bias, Activation.GELU_TANH), 1e-6, 1e-6);
                assertClose("none, " + rows + " rows", values(plain), Torch.linear(x, weight, bias, Activation.NONE),
                        0, 0);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void conv2dWithActivationEqualsConv2dThenActivation(Device device) {
        int[] one = {1, 1};
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = OpsReference.tensor(device, OpsReference.randn(4, 2 * 6 * 9 * 9), 2, 6, 9, 9);
            Tensor bias = OpsReference.tensor(device, OpsReference.randn(5, 12), 12);
            for (int groups : new int[] {1, 3}) {
                Tensor weight = OpsReference.tensor(device, OpsReference.randn(6, 12 * 6 / groups * 9), 12, 6 / groups,
                        3, 3);
                Tensor plain = Torch.conv2d(x, weight, bias, one, one, one, groups);
                assertClose("relu, groups " + groups, values(plain.relu()),
                        Torch.conv2d(x, weight, bias, one, one, one, groups, Activation.RELU), 1e-6, 1e-6);
                assertClose("gelu, groups " + groups, values(plain.gelu()),
                        Torch.conv2d(x, weight, bias, one, one, one, groups, Activation.GELU), 1e-6, 1e-6);
            }
        }
    }
}
