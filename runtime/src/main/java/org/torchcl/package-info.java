/**
 * torchcl's core: {@link org.torchcl.Tensor}, {@link org.torchcl.Device}, the {@link org.torchcl.Torch}
 * facade and the Philox {@link org.torchcl.Generator}.
 */
package org.torchcl;
