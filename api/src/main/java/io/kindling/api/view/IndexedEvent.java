package io.kindling.api.view;

import io.kindling.schemas.JobEvent;

/** One of a job's events and its place among them (0 for the job's first event). */
public record IndexedEvent(long index, JobEvent event) {
}
