package org.torchcl.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * Builds both images with the README's own {@code docker build} command lines, run from the
 * repository root on the freshly built jars, and runs them with no network. Docker Hub is out of
 * reach, so the base image {@value #BASE_IMAGE} must exist locally (.ci/run makes it with
 * debootstrap); apt inside the build uses the host's network.
 *
 * <p>Without a Docker engine each test is skipped, with the reason, unless {@code CI=true}, where
 * that is a failure.
 */
class DockerImagesTest {

    static final String BASE_IMAGE = "debian:bookworm-slim";
    /** The README's build and run commands, word for word ({@link ReadmeCommandsTest} checks). */
    static final List<String> BUILD_CPU_IMAGE = List.of("docker", "build", "--network", "host", "-t", "torchcl-examples",
            "docker/target/context");
    static final List<String> BUILD_NVIDIA_IMAGE = List.of("docker", "build", "--network", "host", "-t",
            "torchcl-examples-nvidia", "-f", "docker/target/context/Dockerfile.nvidia", "docker/target/context");
    static final String RUN_CPU_IMAGE = "docker run --rm --network none torchcl-examples";
    static final String RUN_NVIDIA_IMAGE = "docker run --rm --gpus all torchcl-examples-nvidia";
    private static final Logger LOG = LoggerFactory.getLogger(DockerImagesTest.class);
    private static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));
    private static final Path REPOSITORY = Path.of(System.getProperty("torchcl.repository", "..")).toAbsolutePath()
            .normalize();

    private static String missing;

    @BeforeAll
    static void lookForDockerAndTheBaseImage() {
        missing = whatIsMissing();
        if (missing != null && CI) {
            fail("CI=true but " + missing);
        }
        if (missing != null) {
            LOG.info("Docker image tests skipped: {}", missing);
        }
    }

    @BeforeEach
    void requireDocker() {
        assumeTrue(missing == null, () -> "Docker image tests skipped: " + missing);
    }

    private static String whatIsMissing() {
        String noEngine = noEngineAtTheDefaultSocket();
        if (noEngine != null) {
            return noEngine;
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "Testcontainers found no usable Docker engine (its log above says why)";
        }
        if (!hasImage(BASE_IMAGE)) {
            return "the base image " + BASE_IMAGE + " is missing (make it: debootstrap --variant=minbase bookworm DIR"
                    + " && tar -C DIR -c . | docker import - " + BASE_IMAGE + ")";
        }
        return null;
    }

    /**
     * Where Docker would listen on its default (or DOCKER_HOST's) Unix socket and nothing does, says
     * so before Testcontainers is asked, whose search would log an ERROR for a machine that simply has
     * no engine. Any other set-up is left to Testcontainers.
     */
    private static String noEngineAtTheDefaultSocket() {
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.startsWith("unix://")) {
            return null;
        }
        Path socket = Path.of(host == null ? "/var/run/docker.sock" : host.substring("unix://".length()));
        String start = " (start one, e.g. dockerd --bridge=none --iptables=false, or set DOCKER_HOST)";
        if (!Files.exists(socket)) {
            return "no Docker engine: " + socket + " does not exist" + start;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return null;
        } catch (IOException e) {
            return "no Docker engine answers on " + socket + ": " + e.getMessage() + start;
        }
    }

    private static boolean hasImage(String name) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(name).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Runs a README command line in the repository root; fails with its output unless it succeeds. */
    private static void runFromTheRepositoryRoot(List<String> command) throws IOException, InterruptedException {
        Path context = REPOSITORY.resolve("docker/target/context");
        assertTrue(Files.isDirectory(context.resolve("lib")), "the build context " + context + " holds the jars");
        Path log = Files.createTempFile("docker-build", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(REPOSITORY.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertTrue(process.waitFor(15, TimeUnit.MINUTES), String.join(" ", command) + " finished");
            assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed:\n" + read(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(its output could not be read: " + e + ")";
        }
    }

    private static GenericContainer<?> oneShot(String image) {
        return new GenericContainer<>(DockerImageName.parse(image))
                .withNetworkMode("none")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(5)));
    }

    private static void assertContains(String output, String expected) {
        assertTrue(output.contains(expected), "expected \"" + expected + "\" in:\n" + output);
    }

    @Test
    void theCpuImageRunsEveryExampleOnPocl() throws Exception {
        runFromTheRepositoryRoot(BUILD_CPU_IMAGE);
        // What RUN_CPU_IMAGE does.
        try (GenericContainer<?> container = oneShot("torchcl-examples")) {
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
    void withNoOpenClLibraryAtAllTheExamplesRunOnTheCpuBackend() throws Exception {
        runFromTheRepositoryRoot(BUILD_CPU_IMAGE);
        try (GenericContainer<?> container = oneShot("torchcl-examples")
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
    void theNvidiaImageRegistersNvidiasOpenClDriver() throws Exception {
        runFromTheRepositoryRoot(BUILD_NVIDIA_IMAGE);
        try (GenericContainer<?> container = oneShot("torchcl-examples-nvidia")
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
