/**
 * ONNX models on torchcl: {@link org.torchcl.onnx.OnnxModel} loads an {@code .onnx} file (opsets
 * 7 to 17) and runs its graph with torchcl's ops on the CPU backend or any OpenCL device, with
 * ONNX's semantics (not PyTorch's where they differ). Unsupported ops, attributes and dtypes are
 * refused when the model loads.
 */
package org.torchcl.onnx;
