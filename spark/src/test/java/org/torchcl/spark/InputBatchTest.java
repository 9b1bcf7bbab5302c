package org.torchcl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/** The batch accessors read every array form Spark hands over and name bad rows by partition index. */
class InputBatchTest {

    private static InputBatch batch(Object... values) {
        List<Row> rows = Arrays.stream(values).map(value -> RowFactory.create("key", value)).toList();
        return new InputBatch(rows, new int[] {1}, new String[] {"features"}, 2, 40);
    }

    @Test
    void floatsComeFromPrimitiveArraysListsAndScalaSeqs() {
        InputBatch batch = batch(new float[] {1, 2}, new double[] {3, 4}, new int[] {5, 6}, new long[] {7, 8},
                List.of(9f, 10.0), CollectionConverters.asScala(List.of(11f, 12f)).toSeq());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, batch.floats(0, 2));
    }

    @Test
    void idsComeFromIntAndLongArraysAndLists() {
        InputBatch batch = batch(new int[] {1, 2}, new long[] {3, 4}, List.of(5L, 6));
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, batch.longs(0, 2));
        BadRowException e = assertThrows(BadRowException.class, () -> batch(new float[] {1, 2}).longs(0, 2));
        assertEquals("row 40 of partition 2, column 'features': holds float[], expected integer ids", e.getMessage());
    }

    @Test
    void badRowsAreNamedByTheirIndexInThePartition() {
        assertEquals("row 41 of partition 2, column 'features': has 3 values, expected 2",
                assertThrows(BadRowException.class, () -> batch(new float[2], new float[3]).floats(0, 2)).getMessage());
        assertEquals("row 40 of partition 2, column 'features': element 1 is null, expected a number",
                assertThrows(BadRowException.class, () -> batch(Arrays.asList(1f, null)).floats(0, 2)).getMessage());
        assertEquals("row 42 of partition 2, column 'features': is null, expected a string",
                assertThrows(BadRowException.class, () -> batch("a", "b", null).strings(0)).getMessage());
        BadRowException notArray = assertThrows(BadRowException.class, () -> batch("text").floats(0, 2));
        assertEquals(40, notArray.rowInPartition());
        assertEquals(2, notArray.partition());
    }

    @Test
    void stringsComeBackInRowOrder() {
        assertEquals(List.of("a", "b"), batch("a", "b").strings(0));
    }
}
