package io.kindling.worker.launcher;

import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.schemas.FailureReason;

/** What came of asking a {@link Launcher} to start an attempt. */
public sealed interface Launch {

    /** The driver runs; watch it through {@code app}. */
    record Started(LaunchedApp app) implements Launch {
    }

    /**
     * Nothing was started: {@code message} says why, in a sentence for people. {@code reason} is
     * SUBMISSION_FAILED (retried per the pool's policy), or REJECTED when the pool's launch policy
     * refuses the request itself (never retried: it would be refused again).
     */
    record Refused(String message, FailureReason reason) implements Launch {
        public Refused {
            reason = reason == null ? FailureReason.SUBMISSION_FAILED : reason;
        }

        /** A SUBMISSION_FAILED refusal. */
        public Refused(String message) {
            this(message, FailureReason.SUBMISSION_FAILED);
        }

        /** The refusal of {@code e}: REJECTED for what the launch policy denies, else SUBMISSION_FAILED. */
        public static Refused of(LaunchRefusedException e) {
            boolean policy = switch (e.reason()) {
                case ENVIRONMENT, CONF, LOCAL_PATH -> true;
                default -> false;
            };
            return new Refused(e.getMessage(), policy ? FailureReason.REJECTED : FailureReason.SUBMISSION_FAILED);
        }
    }
}
