package org.torchcl.spark;

/**
 * A loaded model that scores mini-batches. One instance serves every task of an executor JVM at
 * once, so {@link #score} must be safe to call from several threads (torchcl modules are, once
 * loaded: forward only reads the parameters). {@link #close()} frees the weights; the
 * {@link ModelCache} calls it when the model is released.
 */
public interface BatchModel extends AutoCloseable {

    /**
     * One output vector per row of {@code batch}, in row order. Every tensor made here must be
     * closed before returning (a {@link org.torchcl.TensorScope} around the work does it), so a
     * partition of any length runs in the memory of one batch. Bad input should be reported through
     * {@link InputBatch}'s accessors, which name the row.
     */
    float[][] score(InputBatch batch);

    @Override
    void close();
}
