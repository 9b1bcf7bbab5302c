package org.torchcl.onnx;

/** Turns one node into a {@link Kernel}, reading (and so accepting) its attributes; refuses what it cannot run. */
@FunctionalInterface
interface Compiler {
    Kernel compile(NodeContext node) throws UnsupportedOnnxException;
}
