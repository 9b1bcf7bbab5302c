package org.torchcl.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Deterministic English sentences of varied length, so that batches pad differently. */
public final class Sentences {

    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("text", DataTypes.StringType, true);

    private static final String[] SUBJECTS = {"The cat", "A quantum computer", "My neighbour's dog", "The committee",
        "An old lighthouse keeper", "This spreadsheet", "The river", "Every compiler"};
    private static final String[] VERBS = {"quietly ignores", "carefully explains", "suddenly remembers",
        "refuses to optimize", "happily paints", "slowly rewrites"};
    private static final String[] OBJECTS = {"the weather report", "a forgotten recipe for lemon cake",
        "the tensor shapes", "every unanswered email from last winter", "the map", "three small boats",
        "the meaning of an unusually long and winding sentence about nothing in particular"};

    private Sentences() {
    }

    /** Sentence {@code id}. */
    public static String text(long id) {
        int i = (int) id;
        String sentence = SUBJECTS[i % SUBJECTS.length] + " " + VERBS[i / SUBJECTS.length % VERBS.length] + " "
                + OBJECTS[i / (SUBJECTS.length * VERBS.length) % OBJECTS.length];
        return i % 5 == 0 ? sentence + ", and nobody seems to mind." : sentence + ".";
    }

    public static List<String> texts(long from, long to) {
        List<String> texts = new ArrayList<>();
        for (long id = from; id < to; id++) {
            texts.add(text(id));
        }
        return texts;
    }
}
