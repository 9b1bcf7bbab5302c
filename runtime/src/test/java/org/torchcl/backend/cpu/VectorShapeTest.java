package org.torchcl.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels use float vectors of one shape only, the preferred one. C2 learns the
 * class of a vector carried around a loop (the gemm tile's accumulators) from the type profiles
 * inside FloatVector's own methods, which every caller shares: once one float vector of another
 * shape had passed through them (layer norm's sums did, with half-width vectors), the tile's stores
 * could not be intrinsified and every vector was boxed, and MiniLM ran ten times slower whenever a
 * layer norm preceded the first products, as it does in every BERT.
 */
class VectorShapeTest {

    private static final Pattern OTHER_FLOAT_SHAPE = Pattern.compile(
            "FloatVector\\.SPECIES_(64|128|256|512|MAX)|VectorSpecies\\.of\\(\\s*float\\.class|VectorShape");

    @Test
    void floatVectorsComeInThePreferredShapeOnly() throws IOException {
        Path sources = Path.of("src/main/java/org/torchcl/backend/cpu");
        List<String> offenders;
        try (Stream<Path> files = Files.list(sources)) {
            offenders = files.filter(f -> f.getFileName().toString().startsWith("Vector"))
                    .filter(f -> {
                        try {
                            return OTHER_FLOAT_SHAPE.matcher(Files.readString(f)).find();
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .map(f -> f.getFileName().toString()).sorted().toList();
        }
        assertEquals(List.of(), offenders, "float vectors of a shape other than FloatVector.SPECIES_PREFERRED");
    }
}
