package org.torchcl.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.torchcl.Device;

/**
 * The task side of {@link TorchclTransformer}: leases the executor's cached model on the partition's
 * first row (an empty partition loads nothing), scores the rows in mini-batches of {@code batchSize}
 * as Spark pulls them, and appends the output to each row. The lease ends with the task, however it ends.
 */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    /** What the transformer's params fixed for this job. */
    record Settings(String hash, ModelLoader loader, String device, int batchSize, int[] fieldIndices,
                    String[] inputCols, OutputType outputType) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final Settings settings;
    private final Broadcast<ModelBundle> bundle;
    private final CollectionAccumulator<String> loads;

    PartitionScorer(Settings settings, Broadcast<ModelBundle> bundle, CollectionAccumulator<String> loads) {
        this.settings = settings;
        this.bundle = bundle;
        this.loads = loads;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        return new Batches(input, TaskContext.get());
    }

    private final class Batches implements Iterator<Row> {
        private final Iterator<Row> input;
        private final TaskContext task;
        private final int partition;
        private ModelCache.Lease lease;
        private Device device;
        private List<Row> batch = List.of();
        private float[][] outputs;
        private int next;
        private long rowsRead;

        Batches(Iterator<Row> input, TaskContext task) {
            this.input = input;
            this.task = task;
            this.partition = task == null ? -1 : task.partitionId();
        }

        @Override
        public boolean hasNext() {
            if (next < batch.size()) {
                return true;
            }
            if (!input.hasNext()) {
                endLease();
                return false;
            }
            scoreNextBatch();
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException("partition " + partition + " has no more rows");
            }
            Row row = batch.get(next);
            float[] output = outputs[next];
            next++;
            Object[] values = new Object[row.length() + 1];
            for (int i = 0; i < row.length(); i++) {
                values[i] = row.get(i);
            }
            values[row.length()] = settings.outputType() == OutputType.ARGMAX ? argmax(output) : output;
            return RowFactory.create(values);
        }

        private void scoreNextBatch() {
            List<Row> rows = new ArrayList<>(settings.batchSize());
            while (rows.size() < settings.batchSize() && input.hasNext()) {
                rows.add(input.next());
            }
            long firstRow = rowsRead;
            rowsRead += rows.size();
            InputBatch inputs = new InputBatch(rows, settings.fieldIndices(), settings.inputCols(), partition, firstRow);
            BatchModel model = lease().model();
            float[][] scored;
            try {
                scored = model.score(inputs);
                if (scored == null || scored.length != rows.size()) {
                    throw new IllegalStateException("the model returned " + (scored == null ? "null" : scored.length
                            + " outputs") + " for " + rows.size() + " rows");
                }
            } catch (BadRowException e) {
                throw e;
            } catch (RuntimeException e) {
                lease.discard(e);
                lease = null;
                throw new BatchScoringException("scoring rows " + firstRow + ".." + (rowsRead - 1) + " of partition "
                        + partition + " on " + device + " failed: " + e, e);
            }
            batch = rows;
            outputs = scored;
            next = 0;
        }

        private ModelCache.Lease lease() {
            if (lease == null) {
                device = TaskDevices.forTask(settings.device(), task);
                try {
                    lease = ModelCache.acquire(settings.hash(), device, bundle::value, settings.loader());
                } catch (IOException e) {
                    throw new UncheckedIOException("loading model " + settings.hash().substring(0, 12) + " on " + device
                            + " for partition " + partition + " failed: " + e.getMessage(), e);
                }
                if (lease.loadedNow()) {
                    loads.add(SparkEnv.get() == null ? "unknown" : SparkEnv.get().executorId());
                }
                if (task != null) {
                    ModelCache.Lease taskLease = lease;
                    task.addTaskCompletionListener((TaskCompletionListener) context -> taskLease.close());
                }
            }
            return lease;
        }

        private void endLease() {
            if (lease != null) {
                lease.close();
            }
        }
    }

    private static int argmax(float[] values) {
        if (values.length == 0) {
            throw new IllegalStateException("argmax of an empty model output");
        }
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "PartitionScorer" + Arrays.toString(settings.inputCols());
    }
}
