package org.torchcl.spark;

/**
 * A row a model cannot score (null, wrong length, wrong type). Its message names the row's index in
 * its partition; a bad row says nothing about the model, so the {@link ModelCache} keeps it.
 */
public final class BadRowException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int partition;
    private final long rowInPartition;

    BadRowException(int partition, long rowInPartition, String column, String problem) {
        super("row " + rowInPartition + " of partition " + partition + ", column '" + column + "': " + problem);
        this.partition = partition;
        this.rowInPartition = rowInPartition;
    }

    public int partition() {
        return partition;
    }

    /** The row's 0-based index in its partition. */
    public long rowInPartition() {
        return rowInPartition;
    }
}
