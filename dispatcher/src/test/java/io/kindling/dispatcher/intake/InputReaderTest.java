package io.kindling.dispatcher.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.JobState;
import io.kindling.schemas.MessageReader;
import org.junit.jupiter.api.Test;

class InputReaderTest {
    private final InputReader reader = new InputReader();

    private static Origin origin(String key, String value) {
        return new Origin("t", 0, 1L, key, value.getBytes(UTF_8));
    }

    private static final String SUBMIT = """
            {"type": "submit", "jobId": "job-1",
             "spec": {"name": "pi", "application": {"type": "python", "file": "/x/pi.py"}}}
            """;

    private static final String REPORT = """
            {"type": "STATE", "jobId": "job-1", "attempt": 2, "attemptId": "job-1-a2", "workerId": "w",
             "state": "FAILED", "reason": "APP_FAILED", "exitCode": 3, "time": "2026-11-21T10:00:00Z"}
            """;

    @Test
    void readsAValidSubmitAndCancel() {
        assertThat(reader.command(origin("job-1", SUBMIT))).isInstanceOf(Input.Submit.class);
        assertThat(reader.command(origin("job-1", "{\"type\":\"cancel\",\"jobId\":\"job-1\"}"))).isInstanceOf(Input.Cancel.class);
    }

    @Test
    void garbageIsInvalidWithoutJobId() {
        Input in = reader.command(new Origin("t", 0, 1L, null, new byte[] {(byte) 0xff, 0}));
        assertThat(in).isInstanceOfSatisfying(Input.Invalid.class, i -> {
            assertThat(i.code()).isEqualTo("MALFORMED_JSON");
            assertThat(i.jobId()).isNull();
        });
    }

    @Test
    void schemaInvalidNamesTheFieldAndKeepsTheJobId() {
        Input in = reader.command(origin("job-2", "{\"type\":\"submit\",\"jobId\":\"job-2\",\"spec\":{\"application\":{\"type\":\"python\"}}}"));
        assertThat(in).isInstanceOfSatisfying(Input.Invalid.class, i -> {
            assertThat(i.code()).isEqualTo("SCHEMA_VIOLATION");
            assertThat(i.message()).contains("$.spec.application.file");
            assertThat(i.jobId()).isEqualTo("job-2");
        });
    }

    @Test
    void keyMustBeTheJobIdAndSizeIsLimited() {
        assertThat(reader.command(origin("other", SUBMIT))).isInstanceOf(Input.Invalid.class);
        String huge = "{\"type\": \"submit\", \"pad\": \"" + "x".repeat(MessageReader.DEFAULT_MAX_BYTES) + "\"}";
        assertThat(reader.command(origin(null, huge))).isInstanceOfSatisfying(Input.Invalid.class,
                i -> assertThat(i.code()).isEqualTo("TOO_LARGE"));
    }

    @Test
    void readsAValidReport() {
        assertThat(reader.report(origin("job-1", REPORT))).isInstanceOfSatisfying(Input.Report.class, r -> {
            assertThat(r.report().type()).isEqualTo(AttemptReport.Type.STATE);
            assertThat(r.report().state()).isEqualTo(JobState.FAILED);
            assertThat(r.report().exitCode()).isEqualTo(3);
        });
    }

    @Test
    void invalidReportsNeverNameAJobToReject() {
        assertThat(reader.report(origin("job-1", "nope"))).isInstanceOfSatisfying(Input.Invalid.class,
                i -> assertThat(i.jobId()).isNull());
        assertThat(reader.report(origin("job-1", REPORT.replace("\"FAILED\"", "\"QUEUED\"")))).isInstanceOfSatisfying(
                Input.Invalid.class, i -> assertThat(i.code()).isEqualTo("SCHEMA_VIOLATION"));
        assertThat(reader.report(origin("job-1", REPORT.replace("job-1-a2", "job-1-a1")))).isInstanceOf(Input.Invalid.class);
        assertThat(reader.report(origin("job-9", REPORT))).isInstanceOf(Input.Invalid.class);
    }
}
