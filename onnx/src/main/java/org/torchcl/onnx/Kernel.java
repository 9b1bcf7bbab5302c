package org.torchcl.onnx;

/** One compiled node: reads its inputs through {@link Args}, returns one value per node output (null where the output is not wanted). */
@FunctionalInterface
interface Kernel {
    Value[] run(Args args);
}
