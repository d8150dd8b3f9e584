package io.kindling.api.view;

import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The views listings read from the store, decoded: the last {@code capacity} kept (least recently
 * listed first out) with the stored bytes they were decoded from, so listing the same jobs again
 * (a tenant's newest, a page a UI polls) compares bytes instead of decoding JSON again. A row
 * whose bytes changed is decoded again. Decoding was half of what a listing allocated, and its
 * garbage collections were the listing's latency tail.
 */
final class DecodedViews {
    private record Decoded(byte[] stored, JobView view) {
    }

    private final int capacity;
    private final Map<String, Decoded> views;

    DecodedViews(int capacity) {
        this.capacity = capacity;
        this.views = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Decoded> eldest) {
                return size() > DecodedViews.this.capacity;
            }
        };
    }

    /** The view stored as {@code stored} for job {@code id}: the one decoded before if the bytes are the same. */
    JobView view(String id, byte[] stored) {
        if (capacity == 0) {
            return Json.decode(stored, JobView.class);
        }
        synchronized (views) {
            Decoded known = views.get(id);
            if (known != null && Arrays.equals(known.stored(), stored)) {
                return known.view();
            }
        }
        JobView view = Json.decode(stored, JobView.class);
        synchronized (views) {
            views.put(id, new Decoded(stored, view));
        }
        return view;
    }

    /** Forgets every view (the store was cleared). */
    void clear() {
        synchronized (views) {
            views.clear();
        }
    }
}
