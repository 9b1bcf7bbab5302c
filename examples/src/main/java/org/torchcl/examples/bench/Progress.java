package org.torchcl.examples.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long run: one live line rewritten in place on a terminal, plain numbered lines
 * when the output goes to a file or a CI log.
 */
final class Progress {

    private final PrintStream out;
    private final boolean live;
    private final int total;
    private final long started = System.nanoTime();
    private int done;
    private int lastWidth;

    Progress(PrintStream out, int total) {
        this(out, total, System.console() != null);
    }

    Progress(PrintStream out, int total, boolean live) {
        this.out = out;
        this.total = total;
        this.live = live;
    }

    /** Announces the step about to run. */
    void step(String what) {
        done++;
        String line = String.format(Locale.ROOT, "[%d/%d %4.0fs] %s", done, total, Timing.since(started), what);
        if (live) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
            out.flush();
        } else {
            out.println(line);
        }
    }

    /** Ends the live line so the results start on a fresh one. */
    void finish() {
        if (live && lastWidth > 0) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            out.flush();
        }
    }
}
