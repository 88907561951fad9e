package dev.whittle.worker.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Keys a test holds; a HOLD stage with a held key waits until the test releases it. */
public final class Holds {

    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    private Holds() {
    }

    public static void hold(String key) {
        HELD.add(key);
    }

    public static void release(String key) {
        HELD.remove(key);
    }

    static boolean held(String key) {
        return key != null && HELD.contains(key);
    }
}
