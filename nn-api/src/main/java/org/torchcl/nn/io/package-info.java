/**
 * Model files: {@link org.torchcl.nn.io.Safetensors} reads and writes the safetensors format with
 * PyTorch's parameter names. Pickle-based {@code .pt} files are never read.
 */
package org.torchcl.nn.io;
