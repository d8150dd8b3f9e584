package io.kindling.dispatcher.kafka;

import io.kindling.dispatcher.lifecycle.Output;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One transaction's outputs with each job's state written once: a job's {@link Output.State} is
 * left out when a later one in the same transaction writes everything it wrote (the transaction is
 * atomic, so readers of the compacted topics never see the one left out). A job queued and
 * dispatched in one poll, or whose SUBMITTING, RUNNING and SUCCEEDED reports came in one poll,
 * writes one state record instead of two or three. Every other output keeps its place and order.
 */
final class StateFold {
    private StateFold() {
    }

    static List<Output> fold(List<Output> outputs) {
        Map<String, Integer> last = new HashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i) instanceof Output.State st) {
                last.put(st.jobId(), i);
            }
        }
        if (last.isEmpty()) {
            return outputs;
        }
        List<Output> folded = new ArrayList<>(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            Output output = outputs.get(i);
            if (!(output instanceof Output.State st) || last.get(st.jobId()) == i
                    || !covers((Output.State) outputs.get(last.get(st.jobId())), st)) {
                folded.add(output);
            }
        }
        return folded;
    }

    /**
     * True if {@code later} writes every topic {@code earlier} wrote for the job: a live job's
     * record (state topic) is covered by any later snapshot (live: the state topic; finished: the
     * finished topic and a state tombstone); a finished one only by a later finished one. A
     * tombstone on the finished topic (the job forgotten) covers nothing: it is never folded into.
     */
    private static boolean covers(Output.State later, Output.State earlier) {
        if (later.snapshot() == null || earlier.snapshot() == null) {
            return false;
        }
        return !earlier.snapshot().state().terminal() || later.snapshot().state().terminal();
    }
}
