package io.kindling.schemas;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.schemas.InvalidMessageException.Code;
import org.junit.jupiter.api.Test;

class MessageReaderTest {
    private final MessageReader reader = new MessageReader();

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void readsTheDocumentedExample() {
        JobSpec spec = reader.readJobSpec(bytes("""
                {"name": "pi", "pool": "default",
                 "application": {"type": "python", "file": "file:///abs/path/pi.py", "args": ["10"]},
                 "conf": {"spark.executor.memory": "1g"},
                 "idempotencyKey": "optional-client-key",
                 "labels": {"team": "ingest"}}
                """));
        assertThat(spec.application().type()).isEqualTo(ApplicationType.PYTHON);
        assertThat(spec.application().args()).containsExactly("10");
        assertThat(spec.conf()).containsEntry("spark.executor.memory", "1g");
        assertThat(spec.tenant()).isEqualTo("default");
    }

    @Test
    void defaultsThePool() {
        JobSpec spec = reader.readJobSpec(bytes("{\"application\": {\"type\": \"python\", \"file\": \"/x.py\"}}"));
        assertThat(spec.pool()).isEqualTo("default");
    }

    @Test
    void malformedJsonIsNamed() {
        assertThatThrownBy(() -> reader.readJobSpec(bytes("{\"application\": ")))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.MALFORMED_JSON);
                    assertThat(e.getMessage()).contains("malformed JSON");
                });
    }

    @Test
    void missingApplicationFileNamesTheField() {
        assertThatThrownBy(() -> reader.readJobSpec(bytes("{\"application\": {\"type\": \"python\"}}")))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.SCHEMA_VIOLATION);
                    assertThat(e.getMessage()).contains("$.application.file");
                    assertThat(e.details()).extracting(Violation::field).containsExactly("$.application.file");
                });
    }

    @Test
    void unknownFieldIsNamed() {
        assertThatThrownBy(() -> reader.readJobSpec(bytes(
                "{\"application\": {\"type\": \"python\", \"file\": \"/x.py\"}, \"colour\": \"red\"}")))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.UNKNOWN_FIELD);
                    assertThat(e.getMessage()).contains("colour");
                    assertThat(e.details()).extracting(Violation::field).containsExactly("$.colour");
                });
    }

    @Test
    void jvmApplicationNeedsMainClass() {
        assertThatThrownBy(() -> reader.readJobSpec(bytes("{\"application\": {\"type\": \"jvm\", \"file\": \"/x.jar\"}}")))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.details()).extracting(Violation::field).contains("$.application.mainClass"));
    }

    @Test
    void pythonApplicationRefusesMainClass() {
        assertThatThrownBy(() -> reader.readJobSpec(bytes(
                "{\"application\": {\"type\": \"python\", \"file\": \"/x.py\", \"mainClass\": \"a.B\"}}")))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.getMessage()).contains("only a jvm application takes a mainClass"));
    }

    @Test
    void confKeysMustBeSparkKeys() {
        assertThatThrownBy(() -> reader.readJobSpec(bytes(
                "{\"application\": {\"type\": \"python\", \"file\": \"/x.py\"}, \"conf\": {\"evil\": \"1\"}}")))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.details()).isNotEmpty());
    }

    @Test
    void tooLargeIsRefusedBeforeParsing() {
        MessageReader small = new MessageReader(new SchemaValidator(), 10);
        assertThatThrownBy(() -> small.readJobSpec(bytes("{\"application\": {}}")))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.code()).isEqualTo(Code.TOO_LARGE));
    }

    @Test
    void commandRoundTripsThroughTheSchema() {
        JobSpec spec = reader.readJobSpec(bytes("{\"application\": {\"type\": \"python\", \"file\": \"/x.py\"}}"));
        SubmitJob submit = new SubmitJob("job-1", spec, java.time.Instant.parse("2026-01-01T00:00:00Z"));
        JobCommand read = reader.readCommand(Json.encode(submit));
        assertThat(read).isEqualTo(submit);
        CancelJob cancel = new CancelJob("job-1", "user asked", java.time.Instant.parse("2026-01-01T00:00:01Z"));
        assertThat(reader.readCommand(Json.encode(cancel))).isEqualTo(cancel);
    }

    @Test
    void theTenantFieldAndThePrincipalRoundTripAndABadTenantIsRefused() {
        JobSpec spec = reader.readJobSpec(bytes(
                "{\"tenant\": \"acme\", \"application\": {\"type\": \"python\", \"file\": \"/x.py\"}}"));
        assertThat(spec.tenant()).isEqualTo("acme");
        SubmitJob submit = new SubmitJob("job-1", spec, java.time.Instant.parse("2026-01-01T00:00:00Z"), "alice");
        assertThat(reader.readCommand(Json.encode(submit))).isEqualTo(submit);
        CancelJob cancel = new CancelJob("job-1", null, java.time.Instant.parse("2026-01-01T00:00:01Z"), "bob");
        assertThat(reader.readCommand(Json.encode(cancel))).isEqualTo(cancel);
        assertThatThrownBy(() -> reader.readJobSpec(bytes(
                "{\"tenant\": \"Not A Tenant\", \"application\": {\"type\": \"python\", \"file\": \"/x.py\"}}")))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.details()).extracting(Violation::field).contains("$.tenant"));
    }

    @Test
    void invalidCommandKeepsTheJobIdItCouldRead() {
        assertThatThrownBy(() -> reader.readCommand(bytes("{\"type\": \"submit\", \"jobId\": \"job-7\", \"spec\": {}}")))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.jobId()).contains("job-7");
                    assertThat(e.details()).extracting(Violation::field).contains("$.spec.application");
                });
    }

    @Test
    void commandWithoutTypeIsRefused() {
        assertThatThrownBy(() -> reader.readCommand(bytes("{\"jobId\": \"job-7\"}")))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.getMessage()).contains("type"));
    }

    @Test
    void secretRefsAreReferencesWithSafeNames() {
        JobSpec spec = reader.readJobSpec(bytes("""
                {"application": {"type": "python", "file": "/x.py"},
                 "secretRefs": {"DB_PASSWORD": {"secret": "db-creds", "key": "password"}}}
                """));
        assertThat(spec.secretRefs()).containsEntry("DB_PASSWORD", new SecretRef("db-creds", "password"));
        assertThatThrownBy(() -> reader.readJobSpec(bytes("""
                {"application": {"type": "python", "file": "/x.py"},
                 "secretRefs": {"X": {"secret": "db", "key": "../../etc/passwd"}}}
                """))).isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.details()).extracting(Violation::field).contains("$.secretRefs.X.key"));
        assertThatThrownBy(() -> reader.readJobSpec(bytes("""
                {"application": {"type": "python", "file": "/x.py"},
                 "secretRefs": {"X": {"secret": "db", "key": "k", "value": "plaintext"}}}
                """))).isInstanceOf(InvalidMessageException.class).hasMessageContaining("value");
    }
}
