/**
 * The pure-Java backend: always available, multi-threaded, bitwise-equal RNG to the kernels. When
 * the JVM runs with {@code --add-modules jdk.incubator.vector}, sgemm and Philox run on Vector API
 * kernels (a packed, register-tiled sgemm; several Philox blocks per vector); without it, on plain
 * Java loops. {@code CpuKernels} chooses once per JVM and logs its choice.
 */
package org.torchcl.backend.cpu;
