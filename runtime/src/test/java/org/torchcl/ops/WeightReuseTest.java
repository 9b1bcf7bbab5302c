package org.torchcl.ops;

import static org.torchcl.ops.OpsReference.assertClose;
import static org.torchcl.ops.OpsReference.values;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.torchcl.Device;
import org.torchcl.Generator;
import org.torchcl.Tensor;
import org.torchcl.TensorScope;
import org.torchcl.Torch;

/**
 * A weight multiplied again and again, as at inference, then written in place: the CPU backend
 * keeps a packed copy of such an operand, and every kind of in-place write must make the next
 * product see the new values.
 */
class WeightReuseTest {

    private static final int ROWS = 40;
    private static final int IN = 70;
    private static final int OUT = 50;

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void linearSeesEveryInPlaceWriteOfItsWeight(Device device) {
        double[] x = OpsReference.randn(1, ROWS * IN);
        double[] b = OpsReference.randn(2, OUT);
        try (TensorScope scope = TensorScope.open()) {
            Tensor input = OpsReference.tensor(device, x, ROWS, IN);
            Tensor weight = OpsReference.tensor(device, OpsReference.randn(3, OUT * IN), OUT, IN);
            Tensor bias = OpsReference.tensor(device, b, OUT);
            for (int use = 0; use < 3; use++) {
                assertLinear("use " + use, x, values(weight), b, Torch.linear(input, weight, bias));
            }
            weight.fill(0.25);
            assertLinear("after fill", x, values(weight), b, Torch.linear(input, weight, bias));
            assertLinear("after fill, again", x, values(weight), b, Torch.linear(input, weight, bias));
            weight.copyFrom(OpsReference.tensor(device, OpsReference.randn(4, OUT * IN), OUT, IN));
            assertLinear("after copyFrom", x, values(weight), b, Torch.linear(input, weight, bias));
            // A write through a view reaches the storage the products read.
            weight.select(0, 7).fill(-3);
            assertLinear("after a view's fill", x, values(weight), b, Torch.linear(input, weight, bias));
            weight.fillUniform(-1, 1, new Generator(5));
            assertLinear("after fillUniform", x, values(weight), b, Torch.linear(input, weight, bias));
            weight.fillNormal(0, 1, new Generator(6));
            assertLinear("after fillNormal", x, values(weight), b, Torch.linear(input, weight, bias));
        }
    }

    @ParameterizedTest
    @MethodSource("org.torchcl.TestDevices#all")
    void conv2dSeesAnInPlaceWriteOfItsWeight(Device device) {
        int n = 2;
        int c = 5;
        int size = 9;
        int oc = 12;
        double[] x = OpsReference.randn(7, n * c * size * size);
        double[] b = OpsReference.randn(8, oc);
        int[] one = {1, 1};
        try (TensorScope scope = TensorScope.open()) {
            Tensor input = OpsReference.tensor(device, x, n, c, size, size);
            Tensor weight = OpsReference.tensor(device, OpsReference.randn(9, oc * c * 9), oc, c, 3, 3);
            Tensor bias = OpsReference.tensor(device, b, oc);
            for (int use = 0; use < 3; use++) {
                assertClose("conv use " + use, OpsReference.conv2d(x, n, c, size, size, values(weight), oc, 3, 3, b,
                        one, one, one, 1), Torch.conv2d(input, weight, bias, 1, 1), 1e-4, 1e-4);
            }
            weight.narrow(0, 3, 4).fill(0.5);
            assertClose("conv after a view's fill", OpsReference.conv2d(x, n, c, size, size, values(weight), oc, 3, 3,
                    b, one, one, one, 1), Torch.conv2d(input, weight, bias, 1, 1), 1e-4, 1e-4);
        }
    }

    private static void assertLinear(String what, double[] x, double[] w, double[] b, Tensor actual) {
        double[] expected = OpsReference.matmul(x, OpsReference.transpose2d(w, OUT, IN), 1, ROWS, IN, OUT);
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < OUT; j++) {
                expected[i * OUT + j] += b[j];
            }
        }
        assertClose(what, expected, actual, 1e-4, 1e-4);
    }
}
