/**
 * Neural-network modules in PyTorch's shape: {@link org.torchcl.nn.Module}, {@link org.torchcl.nn.Parameter},
 * the layers ({@link org.torchcl.nn.Linear}, {@link org.torchcl.nn.LazyLinear}, {@link org.torchcl.nn.Conv2d},
 * {@link org.torchcl.nn.ReLU}, {@link org.torchcl.nn.Flatten}, {@link org.torchcl.nn.Sequential}) and
 * {@link org.torchcl.nn.Init}.
 *
 * <p>{@code java.lang.Module} exists too: import {@code org.torchcl.nn.Module} by name.
 */
package org.torchcl.nn;
