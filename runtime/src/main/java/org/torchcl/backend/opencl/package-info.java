/**
 * The OpenCL backend through JOCL: device discovery, one context and in-order queue per device,
 * kernels from the {@code opencl-kernels} jar built once per context, and {@link
 * org.torchcl.backend.opencl.OpenClException} for every failing call.
 */
package org.torchcl.backend.opencl;
