/** The pure-Java backend: always available, multi-threaded, bitwise-equal RNG to the kernels. */
package org.torchcl.backend.cpu;
