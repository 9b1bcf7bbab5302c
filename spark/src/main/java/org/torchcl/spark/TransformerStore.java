package org.torchcl.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;

/**
 * Saves and loads a {@link TorchclTransformer} as Spark ML stages are: the params in Spark's own
 * {@code metadata} JSON, beside a file {@value #MODEL} holding the bundle's bytes and the loader
 * (Java-serialized, so loading needs the loader's classes on the classpath, as running it does).
 */
final class TransformerStore {

    static final String MODEL = "torchcl-model.ser";

    private TransformerStore() {
    }

    private record Model(ModelBundle bundle, ModelLoader loader) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    static final class Writer extends MLWriter {
        private final TorchclTransformer stage;

        Writer(TorchclTransformer stage) {
            this.stage = stage;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, sparkSession());
            Path file = new Path(path, MODEL);
            try (ObjectOutputStream out = new ObjectOutputStream(
                    file.getFileSystem(sc().hadoopConfiguration()).create(file, shouldOverwrite()))) {
                out.writeObject(new Model(stage.bundle(), stage.loader()));
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + file + " failed: " + e.getMessage(), e);
            }
        }
    }

    static final class Reader extends MLReader<TorchclTransformer> {
        @Override
        public TorchclTransformer load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    TorchclTransformer.class.getName());
            Path file = new Path(path, MODEL);
            Model model;
            try {
                FileSystem fs = file.getFileSystem(sc().hadoopConfiguration());
                try (ObjectInputStream in = new ObjectInputStream(fs.open(file))) {
                    model = (Model) in.readObject();
                }
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalStateException("reading " + file + " failed (is the model loader's class on the"
                        + " classpath?): " + e, e);
            }
            TorchclTransformer stage = new TorchclTransformer(metadata.uid(), model.bundle(), model.loader());
            metadata.getAndSetParams(stage, metadata.getAndSetParams$default$2());
            return stage;
        }
    }
}
