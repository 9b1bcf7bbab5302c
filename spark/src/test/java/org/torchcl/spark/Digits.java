package org.torchcl.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.models.DigitsNet;
import org.torchcl.nn.io.LoadedTensors;
import org.torchcl.nn.io.Safetensors;

/**
 * The examples' digits classifier (DigitsInference: examples/python/train_digits.py's CNN on
 * scikit-learn's 8x8 digits), whose files the build copies onto this module's test classpath, and
 * rows made from its 360 test images: row {@code id} is image {@code id % 360}, scaled a little by
 * {@code id / 360} so that rows differ.
 */
public final class Digits {

    static final String RESOURCES = "/org/torchcl/examples/digits/";
    public static final int PIXELS = 64;
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), true);

    private Digits() {
    }

    public static ModelBundle bundle() {
        return ModelBundle.of(SafetensorsModel.WEIGHTS, resource("digits-model.safetensors"));
    }

    public static SafetensorsModel loader() {
        return SafetensorsModel.of(DigitsNet::create, 1, 8, 8);
    }

    /** The pixels of row {@code id}. */
    public static float[] pixels(long id) {
        float[][] images = TestImages.IMAGES;
        float[] image = images[(int) (id % images.length)];
        float scale = 1f + (id / images.length % 8) / 16f;
        float[] pixels = new float[PIXELS];
        for (int k = 0; k < PIXELS; k++) {
            pixels[k] = image[k] * scale;
        }
        return pixels;
    }

    /** Loaded on first use in each JVM (a local-cluster executor too), from the classpath. */
    private static final class TestImages {
        static final float[][] IMAGES = load();

        private static float[][] load() {
            try (LoadedTensors test = Safetensors.load(ByteBuffer.wrap(resource("digits-test.safetensors")),
                    Device.cpu())) {
                Tensor images = test.get("images");
                float[] flat = images.toArray();
                float[][] perImage = new float[images.shape(0)][];
                for (int i = 0; i < perImage.length; i++) {
                    perImage[i] = Arrays.copyOfRange(flat, i * PIXELS, (i + 1) * PIXELS);
                }
                return perImage;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static byte[] resource(String name) {
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCES + name + " is missing from the test classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
