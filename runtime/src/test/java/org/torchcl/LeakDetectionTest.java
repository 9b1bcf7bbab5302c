package org.torchcl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;

/** A tensor nobody closes is freed by the cleaner, and a WARN says where it was made. */
@Isolated
class LeakDetectionTest {

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(LeakDetection.class);

    @BeforeEach
    void capture() {
        events.start();
        logger.addAppender(events);
        LeakDetection.setMode(LeakDetection.Mode.ALL);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
        LeakDetection.setMode(LeakDetection.Mode.SAMPLE);
    }

    @Test
    void aLeakedTensorIsFreedAndReportedWithItsCreationSite() throws InterruptedException {
        Device cpu = Device.cpu();
        long base = cpu.memoryStats().allocatedBytes();
        leakOne(cpu);
        assertEquals(base + 7 * 11 * 4, cpu.memoryStats().allocatedBytes());
        List<ILoggingEvent> warnings = List.of();
        for (int i = 0; i < 500 && warnings.isEmpty(); i++) {
            System.gc();
            Thread.sleep(10);
            warnings = logged().stream()
                    .filter(e -> e.getFormattedMessage().contains("[7, 11] on cpu was never closed")).toList();
        }
        assertTrue(cpu.memoryStats().allocatedBytes() <= base, "the cleaner gave the memory back");
        assertEquals(1, warnings.size(), logged().toString());
        StackTraceElement[] site = ((ch.qos.logback.classic.spi.ThrowableProxy) warnings.get(0).getThrowableProxy())
                .getThrowable().getStackTrace();
        assertTrue(java.util.Arrays.stream(site).anyMatch(frame -> frame.getMethodName().equals("leakOne")),
                "the WARN carries the place the tensor was created");
    }

    @Test
    void closedTensorsAreNotReported() throws InterruptedException {
        long leakedBefore = LeakDetection.leakedCount();
        Torch.ones(Device.cpu(), 5).close();
        System.gc();
        Thread.sleep(50);
        assertEquals(leakedBefore, LeakDetection.leakedCount());
    }

    /** The events so far; the appender is appended to under its own lock, from the cleaner's thread. */
    private List<ILoggingEvent> logged() {
        synchronized (events) {
            return List.copyOf(events.list);
        }
    }

    private static void leakOne(Device device) {
        Torch.zeros(device, 7, 11);
    }
}
