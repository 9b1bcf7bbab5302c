package org.torchcl.backend.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads kernel sources from the classpath ({@code org/torchcl/kernels/NAME}), so they work from a jar. */
final class KernelSources {

    static final String ROOT = "org/torchcl/kernels/";

    private KernelSources() {
    }

    static String load(String fileName) {
        String path = ROOT + fileName;
        ClassLoader loader = KernelSources.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + path
                        + " is not on the classpath; is the opencl-kernels jar missing?");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source " + path, e);
        }
    }
}
