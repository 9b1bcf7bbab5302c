package org.torchcl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.slf4j.LoggerFactory;

/**
 * A tensor nobody closes is reported at WARN with the place it was made; a closed one is not. The
 * cleaner's action is run on the test's thread ({@link Tensor#releaseAsLeaked()}), and only that
 * thread's log events count, so neither the collector's timing nor tensors other tests leaked (which
 * the real cleaner may free meanwhile) can change the outcome.
 */
@Isolated
class LeakDetectionTest {

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(LeakDetection.class);

    @BeforeEach
    void capture() {
        events.start();
        logger.addAppender(events);
        // The expected WARN and its stack trace belong to this test, not to the build's console.
        logger.setAdditive(false);
        LeakDetection.setMode(LeakDetection.Mode.ALL);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
        logger.setAdditive(true);
        LeakDetection.setMode(LeakDetection.Mode.SAMPLE);
    }

    @Test
    void aLeakedTensorIsFreedAndReportedWithItsCreationSite() {
        Tensor leaked = madeHere(Device.cpu());
        leaked.releaseAsLeaked();

        assertTrue(leaked.isClosed(), "the cleaner's action released the tensor");
        List<ILoggingEvent> reports = loggedOnThisThread();
        assertEquals(1, reports.size(), reports.toString());
        ILoggingEvent report = reports.get(0);
        assertEquals("WARN", report.getLevel().toString());
        assertTrue(report.getFormattedMessage().startsWith("a tensor [7, 11] on cpu was never closed"),
                report.getFormattedMessage());
        ThrowableProxy site = (ThrowableProxy) report.getThrowableProxy();
        assertNotNull(site, "the WARN carries the place the tensor was created");
        assertTrue(Arrays.stream(site.getThrowable().getStackTrace())
                        .anyMatch(frame -> frame.getMethodName().equals("madeHere")),
                () -> Arrays.toString(site.getThrowable().getStackTrace()));
    }

    @Test
    void closedTensorsAreNotReported() {
        Tensor closed = madeHere(Device.cpu());
        closed.close();
        closed.releaseAsLeaked();

        assertEquals(List.of(), loggedOnThisThread());
    }

    /** This thread's events: the cleaner's thread may report other tests' leaks meanwhile. */
    private List<ILoggingEvent> loggedOnThisThread() {
        String thread = Thread.currentThread().getName();
        synchronized (events) {
            return events.list.stream().filter(e -> e.getThreadName().equals(thread)).toList();
        }
    }

    private static Tensor madeHere(Device device) {
        return Torch.zeros(device, 7, 11);
    }
}
