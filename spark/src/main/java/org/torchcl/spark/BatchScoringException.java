package org.torchcl.spark;

/**
 * A mini-batch the model failed on (a device error, a shape the model rejects). The message names the
 * batch's rows by their index in the partition, the device and the cause; the model it ran on has
 * been dropped from the {@link ModelCache}, so Spark's retry loads a fresh one.
 */
public final class BatchScoringException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BatchScoringException(String message, Throwable cause) {
        super(message, cause);
    }
}
