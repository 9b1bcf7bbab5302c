package org.torchcl.spark;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.torchcl.Device;

/**
 * The loaded models of this JVM (an executor, or the driver in local mode), keyed by the bundle's
 * hash and the device: every task of the JVM that scores with the same model shares one instance,
 * loaded by the first task that needs it while the others wait. Models stay loaded between jobs
 * until {@link #release} or {@link #releaseAll}. A model whose load or scoring failed (other than
 * on a {@link BadRowException}) is dropped at once, so Spark's retry of the task loads a fresh one.
 */
public final class ModelCache {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
    private static final ConcurrentMap<Key, Entry> ENTRIES = new ConcurrentHashMap<>();
    private static final ConcurrentMap<String, AtomicInteger> LOADS = new ConcurrentHashMap<>();

    private ModelCache() {
    }

    private record Key(String hash, Device device) {
    }

    /**
     * Leases the model for {@code hash} on {@code device}, loading it with {@code loader} from
     * {@code bundle} (fetched only then: a broadcast is not read when the model is already here).
     */
    static Lease acquire(String hash, Device device, Supplier<ModelBundle> bundle, ModelLoader loader)
            throws IOException {
        Key key = new Key(hash, device);
        while (true) {
            Entry entry = ENTRIES.computeIfAbsent(key, Entry::new);
            Lease lease = entry.lease(bundle, loader);
            if (lease != null) {
                return lease;
            }
            // Released or discarded between the lookup and the lease: look again.
        }
    }

    /** How many times this JVM has loaded the model with this hash (on any device), releases included. */
    public static int loads(String hash) {
        AtomicInteger count = LOADS.get(hash);
        return count == null ? 0 : count.get();
    }

    /** The number of models loaded in this JVM now. */
    public static int size() {
        return ENTRIES.size();
    }

    /**
     * Drops every model with this hash: idle ones are closed now (their device memory freed), those
     * a running task still uses when it finishes. Returns how many were dropped.
     */
    public static int release(String hash) {
        int dropped = 0;
        for (Key key : List.copyOf(ENTRIES.keySet())) {
            if (key.hash().equals(hash)) {
                Entry entry = ENTRIES.remove(key);
                if (entry != null) {
                    entry.retire();
                    dropped++;
                }
            }
        }
        return dropped;
    }

    /** Drops every model of this JVM, as {@link #release} does. Returns how many were dropped. */
    public static int releaseAll() {
        int dropped = 0;
        for (Key key : List.copyOf(ENTRIES.keySet())) {
            Entry entry = ENTRIES.remove(key);
            if (entry != null) {
                entry.retire();
                dropped++;
            }
        }
        return dropped;
    }

    private static final class Entry {
        private final Key key;
        private BatchModel model;
        private int leases;
        private boolean retired;

        Entry(Key key) {
            this.key = key;
        }

        /** Null when this entry left the cache before the lease could be taken. */
        synchronized Lease lease(Supplier<ModelBundle> bundle, ModelLoader loader) throws IOException {
            if (retired) {
                return null;
            }
            boolean loadedNow = false;
            if (model == null) {
                long start = System.nanoTime();
                try {
                    model = loader.load(bundle.get(), key.device());
                } catch (IOException | RuntimeException | Error e) {
                    retired = true;
                    ENTRIES.remove(key, this);
                    throw e;
                }
                if (model == null) {
                    retired = true;
                    ENTRIES.remove(key, this);
                    throw new IllegalStateException("model loader " + loader.getClass().getName() + " returned null");
                }
                int count = LOADS.computeIfAbsent(key.hash(), h -> new AtomicInteger()).incrementAndGet();
                loadedNow = true;
                LOG.info("loaded model {} on {} in {} ms (load {} in this JVM)", key.hash().substring(0, 12),
                        key.device(), (System.nanoTime() - start) / 1_000_000, count);
            }
            leases++;
            return new Lease(this, model, loadedNow);
        }

        synchronized void endLease() {
            leases--;
            closeIfUnused();
        }

        synchronized void retire() {
            retired = true;
            closeIfUnused();
        }

        void discard(Throwable cause) {
            LOG.warn("dropping model {} on {} after a scoring failure; the next task loads it again: {}",
                    key.hash().substring(0, 12), key.device(), cause.toString());
            ENTRIES.remove(key, this);
            retire();
        }

        private void closeIfUnused() {
            if (retired && leases == 0 && model != null) {
                model.close();
                model = null;
                LOG.info("released model {} on {}", key.hash().substring(0, 12), key.device());
            }
        }
    }

    /** A task's use of a cached model; closing it hands the model back (it stays cached). */
    static final class Lease implements AutoCloseable {
        private final Entry entry;
        private final BatchModel model;
        private final boolean loadedNow;
        private boolean closed;

        private Lease(Entry entry, BatchModel model, boolean loadedNow) {
            this.entry = entry;
            this.model = model;
            this.loadedNow = loadedNow;
        }

        BatchModel model() {
            return model;
        }

        /** Whether this lease's acquire loaded the model (rather than finding it cached). */
        boolean loadedNow() {
            return loadedNow;
        }

        /** Drops the model from the cache (it may be broken), then ends the lease. */
        void discard(Throwable cause) {
            entry.discard(cause);
            close();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                entry.endLease();
            }
        }
    }
}
