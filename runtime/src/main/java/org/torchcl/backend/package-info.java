/**
 * The backend SPI: {@link org.torchcl.backend.Backend} lists every operation a device implements;
 * {@code cpu} and {@code opencl} hold the two implementations.
 */
package org.torchcl.backend;
