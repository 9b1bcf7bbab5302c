package org.torchcl.examples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;

/** ONNX Runtime, the benches' CPU peer, as a {@link Timing.Run}: one session run, its results closed. */
final class OrtRuns {

    private OrtRuns() {
    }

    static Timing.Run of(OrtSession session, Map<String, OnnxTensor> feed) {
        return () -> {
            long start = System.nanoTime();
            try (OrtSession.Result out = session.run(feed)) {
                return Timing.since(start);
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
