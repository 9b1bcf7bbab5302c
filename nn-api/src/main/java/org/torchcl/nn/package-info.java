/**
 * Neural-network modules in PyTorch's shape, with PyTorch's class, parameter and buffer names so
 * state dicts load unchanged: {@link org.torchcl.nn.Module} (parameters, buffers, children,
 * train/eval modes), {@link org.torchcl.nn.Parameter}, the layers ({@link org.torchcl.nn.Linear},
 * {@link org.torchcl.nn.Conv2d}, {@link org.torchcl.nn.BatchNorm1d}, {@link org.torchcl.nn.BatchNorm2d},
 * {@link org.torchcl.nn.LayerNorm}, {@link org.torchcl.nn.Embedding}, the pools, the activations,
 * {@link org.torchcl.nn.Dropout}, {@link org.torchcl.nn.Flatten}), the lazy family
 * ({@link org.torchcl.nn.LazyLinear}, {@link org.torchcl.nn.LazyConv2d},
 * {@link org.torchcl.nn.LazyBatchNorm2d}), the containers ({@link org.torchcl.nn.Sequential},
 * {@link org.torchcl.nn.ModuleList}) and {@link org.torchcl.nn.Init}.
 *
 * <p>{@code java.lang.Module} exists too: import {@code org.torchcl.nn.Module} by name.
 */
package org.torchcl.nn;
