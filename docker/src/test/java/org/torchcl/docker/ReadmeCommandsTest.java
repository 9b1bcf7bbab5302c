package org.torchcl.docker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image commands a reader copies are the ones {@link DockerImagesTest} runs: the README and the
 * Dockerfiles' own headers show them word for word. Needs no Docker engine.
 */
class ReadmeCommandsTest {

    private static final Path REPOSITORY = Path.of(System.getProperty("torchcl.repository", ".."));

    @Test
    void theReadmeAndTheDockerfilesShowTheTestedCommands() throws IOException {
        String buildCpu = String.join(" ", DockerImagesTest.BUILD_CPU_IMAGE);
        String buildNvidia = String.join(" ", DockerImagesTest.BUILD_NVIDIA_IMAGE);
        Map<String, List<String>> shown = Map.of(
                "README.md", List.of(buildCpu, buildNvidia, DockerImagesTest.RUN_CPU_IMAGE, DockerImagesTest.RUN_NVIDIA_IMAGE),
                "docker/Dockerfile", List.of(buildCpu, DockerImagesTest.RUN_CPU_IMAGE),
                "docker/Dockerfile.nvidia", List.of(buildNvidia, DockerImagesTest.RUN_NVIDIA_IMAGE));
        for (Map.Entry<String, List<String>> file : shown.entrySet()) {
            // A line of its own, in a code block or after a Dockerfile's comment sign.
            List<String> lines = Files.readAllLines(REPOSITORY.resolve(file.getKey())).stream()
                    .map(line -> line.replaceFirst("^#\\s*", "").strip()).toList();
            for (String command : file.getValue()) {
                assertTrue(lines.contains(command), file.getKey() + " shows `" + command + "` on a line of its own");
            }
        }
    }
}
