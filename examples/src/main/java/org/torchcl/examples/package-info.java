/**
 * Runnable mains, one per scenario ("notebooks as mains"); {@link org.torchcl.examples.RunAll}
 * runs them all. Each takes {@code --device cpu|opencl|opencl:N|auto}.
 */
package org.torchcl.examples;
