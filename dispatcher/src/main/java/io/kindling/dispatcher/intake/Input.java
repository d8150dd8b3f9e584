package io.kindling.dispatcher.intake;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Violation;
import java.util.List;

/** One consumed record, read: a command, a worker's report, or something unacceptable. */
public sealed interface Input {
    Origin origin();

    /** A valid submit command. */
    record Submit(SubmitJob command, Origin origin) implements Input {
    }

    /**
     * A valid cancel command; {@code tenant}, when not null, is the only tenant whose job it may
     * cancel (it came on that tenant's commands topic).
     */
    record Cancel(CancelJob command, Origin origin, String tenant) implements Input {
        public Cancel(CancelJob command, Origin origin) {
            this(command, origin, null);
        }
    }

    /** A valid report from a worker. */
    record Report(AttemptReport report, Origin origin) implements Input {
    }

    /** A record that cannot be accepted; {@code jobId} is set when one could be read. */
    record Invalid(Origin origin, String jobId, String code, String message, List<Violation> details) implements Input {
        public Invalid {
            details = List.copyOf(details);
        }
    }
}
