/**
 * Benchmark mains that measure torchcl against the library a user would otherwise pick, in the same
 * run: {@link org.torchcl.examples.bench.SgemmBench}, {@link org.torchcl.examples.bench.LinearBench},
 * {@link org.torchcl.examples.bench.RngBench}, and the sgemm tuner {@link org.torchcl.examples.bench.TuneSgemm}.
 */
package org.torchcl.examples.bench;
