package org.torchcl.examples;

import java.io.PrintStream;
import java.util.List;
import org.torchcl.Device;

/** One runnable scenario: prints what it shows to {@code out}. */
@FunctionalInterface
public interface Example {

    /**
     * @param device where to run
     * @param out where to print the results
     * @param args the command line without {@code --device}
     */
    void run(Device device, PrintStream out, List<String> args);
}
