package org.torchcl.docker;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Builds both Dockerfiles from the freshly built jars and runs them with no network. Docker Hub is
 * out of reach, so the base image {@value #BASE_IMAGE} must exist locally (.ci/run makes it with
 * debootstrap); apt inside the build uses the host's network.
 */
class DockerImagesTest {

    static final String BASE_IMAGE = "debian:bookworm-slim";
    private static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));

    @BeforeAll
    static void requireDockerAndTheBaseImage() {
        String missing = whatIsMissing();
        if (missing != null && CI) {
            fail("CI=true but " + missing);
        }
        assumeTrue(missing == null, () -> "Docker image tests skipped: " + missing);
    }

    private static String whatIsMissing() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "no Docker engine is reachable (start one: dockerd --bridge=none --iptables=false)";
        }
        if (!hasImage(BASE_IMAGE)) {
            return "the base image " + BASE_IMAGE + " is missing (make it: debootstrap --variant=minbase bookworm DIR"
                    + " && tar -C DIR -c . | docker import - " + BASE_IMAGE + ")";
        }
        return null;
    }

    private static boolean hasImage(String name) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(name).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static ImageFromDockerfile image(String tag, String dockerfile) {
        Path context = Path.of(System.getenv("TORCHCL_DOCKER_CONTEXT"));
        assertTrue(Files.isDirectory(context.resolve("lib")), "the build context " + context + " holds the jars");
        // A fixed tag kept after the run, so Docker's layer cache spares the next run the apt downloads.
        return new ImageFromDockerfile(tag, false)
                .withFileFromPath(".", context)
                .withDockerfilePath(dockerfile)
                .withBuildImageCmdModifier(cmd -> cmd.withNetworkMode("host"));
    }

    private static GenericContainer<?> oneShot(ImageFromDockerfile image) {
        return new GenericContainer<>(image)
                .withNetworkMode("none")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(5)));
    }

    private static void assertContains(String output, String expected) {
        assertTrue(output.contains(expected), "expected \"" + expected + "\" in:\n" + output);
    }

    @Test
    void theCpuImageRunsEveryExampleOnPocl() {
        try (GenericContainer<?> container = oneShot(image("torchcl/examples-pocl:test", "Dockerfile"))) {
            container.start();
            String stdout = container.getLogs(OutputFrame.OutputType.STDOUT);
            String stderr = container.getLogs(OutputFrame.OutputType.STDERR);
            for (String example : new String[] {"LazyLinearBasics", "SimpleNet", "DynamicMlp", "InitializationState",
                "FeatureExtractor", "DigitsInference"}) {
                assertContains(stdout, "== " + example + " on opencl:0 (pthread");
            }
            assertContains(stdout, "in_features after forward: 256");
            assertContains(stdout, "fc.in_features after forward: 50176 (= 64 * 28 * 28)");
            assertContains(stdout, "agreement with PyTorch's predictions: 360/360");
            assertContains(stdout, "all 6 examples ran on opencl:0 (pthread");
            assertContains(stderr, "default device: opencl:0 (pthread");
            assertContains(stderr, "built sgemm.cl for opencl:0");
        }
    }

    @Test
    void withNoOpenClLibraryAtAllTheExamplesRunOnTheCpuBackend() {
        try (GenericContainer<?> container = oneShot(image("torchcl/examples-pocl:test", "Dockerfile"))
                .withEnv("TORCHCL_DEVICE", "auto")
                .withCommand("sh", "-c", "rm -f /usr/lib/*/libOpenCL.so* && exec java --add-modules jdk.incubator.vector -cp '/opt/torchcl/lib/*' "
                        + "org.torchcl.examples.RunAll")) {
            container.start();
            assertContains(container.getLogs(OutputFrame.OutputType.STDOUT), "all 6 examples ran on cpu");
            assertContains(container.getLogs(OutputFrame.OutputType.STDERR),
                    "auto device: cpu (OpenCL unavailable: JOCL could not load the OpenCL library");
        }
    }

    @Test
    void theNvidiaImageRegistersNvidiasOpenClDriver() {
        try (GenericContainer<?> container = oneShot(image("torchcl/examples-nvidia:test", "Dockerfile.nvidia"))
                .withCommand("sh", "-c", "cat /etc/OpenCL/vendors/*.icd; echo \"capabilities=$NVIDIA_DRIVER_CAPABILITIES\";"
                        + " exec java -cp '/opt/torchcl/lib/*' org.torchcl.examples.RunAll")) {
            container.start();
            String stdout = container.getLogs(OutputFrame.OutputType.STDOUT);
            assertTrue(stdout.startsWith("libnvidia-opencl.so.1\n"), "only NVIDIA's ICD is registered:\n" + stdout);
            assertContains(stdout, "capabilities=compute,utility");
            // No GPU is passed into this container, so the loader finds no platform and the app still runs.
            assertContains(stdout, "all 6 examples ran on ");
        }
    }
}
