package org.torchcl.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One mini-batch of rows as a model sees it: the transformer's input columns, numbered 0.. in the
 * order of {@code inputCols}. The accessors check every value and throw a {@link BadRowException}
 * naming the row's index in its partition, so models need no checks of their own.
 */
public final class InputBatch {

    private final List<Row> rows;
    private final int[] fieldIndices;
    private final String[] columnNames;
    private final int partition;
    private final long firstRow;

    InputBatch(List<Row> rows, int[] fieldIndices, String[] columnNames, int partition, long firstRow) {
        this.rows = rows;
        this.fieldIndices = fieldIndices;
        this.columnNames = columnNames;
        this.partition = partition;
        this.firstRow = firstRow;
    }

    /** The number of rows. */
    public int size() {
        return rows.size();
    }

    /** The partition these rows came from. */
    public int partition() {
        return partition;
    }

    /** The index in its partition of this batch's first row. */
    public long firstRow() {
        return firstRow;
    }

    /**
     * Input column {@code column} ({@code array<float|double|int|long>}) as one row-major array of
     * {@code size() * width} floats.
     *
     * @throws BadRowException for a null array, a null element, or a length other than {@code width}
     */
    public float[] floats(int column, int width) {
        float[] flat = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            Object value = array(r, column, width);
            int offset = r * width;
            if (value instanceof float[] floats) {
                System.arraycopy(floats, 0, flat, offset, width);
            } else if (value instanceof double[] doubles) {
                for (int k = 0; k < width; k++) {
                    flat[offset + k] = (float) doubles[k];
                }
            } else if (value instanceof int[] ints) {
                for (int k = 0; k < width; k++) {
                    flat[offset + k] = ints[k];
                }
            } else if (value instanceof long[] longs) {
                for (int k = 0; k < width; k++) {
                    flat[offset + k] = longs[k];
                }
            } else {
                List<?> values = (List<?>) value;
                for (int k = 0; k < width; k++) {
                    flat[offset + k] = number(values.get(k), r, column, k).floatValue();
                }
            }
        }
        return flat;
    }

    /**
     * Input column {@code column} ({@code array<int|long>} ids) as one row-major array of
     * {@code size() * width} longs.
     *
     * @throws BadRowException for a null array, a null element, or a length other than {@code width}
     */
    public long[] longs(int column, int width) {
        long[] flat = new long[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            Object value = array(r, column, width);
            int offset = r * width;
            if (value instanceof long[] longs) {
                System.arraycopy(longs, 0, flat, offset, width);
            } else if (value instanceof int[] ints) {
                for (int k = 0; k < width; k++) {
                    flat[offset + k] = ints[k];
                }
            } else if (value instanceof List<?> values) {
                for (int k = 0; k < width; k++) {
                    flat[offset + k] = number(values.get(k), r, column, k).longValue();
                }
            } else {
                throw bad(r, column, "holds " + value.getClass().getSimpleName() + ", expected integer ids");
            }
        }
        return flat;
    }

    /**
     * Input column {@code column} ({@code string}) as a list.
     *
     * @throws BadRowException for a null string
     */
    public List<String> strings(int column) {
        List<String> texts = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            Object value = value(r, column);
            if (value == null) {
                throw bad(r, column, "is null, expected a string");
            }
            if (!(value instanceof String text)) {
                throw bad(r, column, "holds " + describe(value) + ", expected a string");
            }
            texts.add(text);
        }
        return texts;
    }

    /** The raw value of row {@code row} (0-based in this batch), input column {@code column}, possibly null. */
    public Object value(int row, int column) {
        Row source = rows.get(row);
        int field = fieldIndices[column];
        return source.isNullAt(field) ? null : source.get(field);
    }

    /** A {@link BadRowException} naming row {@code row} of this batch by its index in the partition. */
    public BadRowException bad(int row, int column, String problem) {
        return new BadRowException(partition, firstRow + row, columnNames[column], problem);
    }

    /**
     * The array in row {@code r}, checked for length: a primitive array where Spark passes the
     * objects a previous map made straight through (it elides the encoder round trip), else a list.
     */
    private Object array(int r, int column, int width) {
        Object value = value(r, column);
        if (value == null) {
            throw bad(r, column, "is null, expected an array of " + width + " numbers");
        }
        Object array = value instanceof scala.collection.Seq<?> seq ? CollectionConverters.asJava(seq)
                : value instanceof Object[] objects ? Arrays.asList(objects) : value;
        int length = array instanceof List<?> list ? list.size()
                : array.getClass().isArray() ? java.lang.reflect.Array.getLength(array) : -1;
        if (length < 0) {
            throw bad(r, column, "holds " + describe(value) + ", expected an array of " + width + " numbers");
        }
        if (length != width) {
            throw bad(r, column, "has " + length + " values, expected " + width);
        }
        return array;
    }

    private Number number(Object value, int r, int column, int k) {
        if (value instanceof Number number) {
            return number;
        }
        throw bad(r, column, "element " + k + " is " + describe(value) + ", expected a number");
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName() + " " + value;
    }
}
