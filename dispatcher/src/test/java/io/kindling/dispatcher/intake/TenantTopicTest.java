package io.kindling.dispatcher.intake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.Topics;
import org.junit.jupiter.api.Test;

/** A record on {@code <prefix>tenants.<tenant>.commands} gets that tenant, whatever it says. */
class TenantTopicTest {
    private static final Topics TOPICS = new Topics("k.");
    private final InputReader reader = new InputReader(TOPICS);

    private static Origin on(String topic, String key, String value) {
        return new Origin(topic, 0, 7L, key, value.getBytes(UTF_8));
    }

    private static String submit(String specExtra) {
        return "{\"type\":\"submit\",\"jobId\":\"job-1\",\"spec\":{\"name\":\"pi\"," + specExtra
                + "\"application\":{\"type\":\"python\",\"file\":\"/x/pi.py\"}}}";
    }

    @Test
    void aSpecWithoutTenantGetsTheTopicsTenant() {
        Input in = reader.command(on(TOPICS.tenantCommands("acme"), "job-1", submit("")));
        assertThat(in).isInstanceOfSatisfying(Input.Submit.class,
                s -> assertThat(s.command().spec().tenant()).isEqualTo("acme"));
    }

    @Test
    void aSpecNamingTheTopicsTenantIsAccepted() {
        Input in = reader.command(on(TOPICS.tenantCommands("acme"), "job-1", submit("\"tenant\":\"acme\",")));
        assertThat(in).isInstanceOfSatisfying(Input.Submit.class,
                s -> assertThat(s.command().spec().tenant()).isEqualTo("acme"));
    }

    @Test
    void aSpecNamingAnotherTenantIsRefused() {
        Input field = reader.command(on(TOPICS.tenantCommands("acme"), "job-1", submit("\"tenant\":\"globex\",")));
        assertThat(field).isInstanceOfSatisfying(Input.Invalid.class, i -> {
            assertThat(i.code()).isEqualTo("FORBIDDEN");
            assertThat(i.message()).contains("acme").contains("globex");
            assertThat(i.details()).extracting(v -> v.field()).containsExactly("$.spec.tenant");
        });
        Input label = reader.command(on(TOPICS.tenantCommands("acme"), "job-1", submit("\"labels\":{\"tenant\":\"globex\"},")));
        assertThat(label).isInstanceOfSatisfying(Input.Invalid.class,
                i -> assertThat(i.details()).extracting(v -> v.field()).containsExactly("$.spec.labels.tenant"));
    }

    @Test
    void theOriginalBytesAreKeptForTheDeadLetter() {
        Origin origin = on(TOPICS.tenantCommands("acme"), "job-1", submit("\"tenant\":\"globex\","));
        assertThat(reader.command(origin).origin().value()).isEqualTo(origin.value());
    }

    @Test
    void aCancelOnATenantTopicIsBoundToThatTenant() {
        Input in = reader.command(on(TOPICS.tenantCommands("acme"), "job-1", "{\"type\":\"cancel\",\"jobId\":\"job-1\"}"));
        assertThat(in).isInstanceOfSatisfying(Input.Cancel.class, c -> assertThat(c.tenant()).isEqualTo("acme"));
        Input main = reader.command(on(TOPICS.commands(), "job-1", "{\"type\":\"cancel\",\"jobId\":\"job-1\"}"));
        assertThat(main).isInstanceOfSatisfying(Input.Cancel.class, c -> assertThat(c.tenant()).isNull());
    }

    @Test
    void theMainCommandsTopicKeepsTheSpecsTenant() {
        Input in = reader.command(on(TOPICS.commands(), "job-1", submit("\"tenant\":\"globex\",")));
        assertThat(in).isInstanceOfSatisfying(Input.Submit.class,
                s -> assertThat(s.command().spec().tenant()).isEqualTo("globex"));
    }

    @Test
    void garbageOnATenantTopicIsStillReadAsGarbage() {
        Input in = reader.command(new Origin(TOPICS.tenantCommands("acme"), 0, 1L, null, new byte[] {(byte) 0xff}));
        assertThat(in).isInstanceOfSatisfying(Input.Invalid.class, i -> assertThat(i.code()).isEqualTo("MALFORMED_JSON"));
    }

    @Test
    void topicNames() {
        assertThat(TOPICS.tenantCommands("acme")).isEqualTo("k.tenants.acme.commands");
        assertThat(TOPICS.tenantOfCommands("k.tenants.acme.commands")).contains("acme");
        assertThat(TOPICS.tenantOfCommands("k.tenants.ac.me.commands")).isEmpty();
        assertThat(TOPICS.tenantOfCommands("x.tenants.acme.commands")).isEmpty();
        assertThat(TOPICS.dispatcherInputs().matcher("k.tenants.acme.commands").matches()).isTrue();
        assertThat(TOPICS.dispatcherInputs().matcher("k.jobs.commands").matches()).isTrue();
        assertThat(TOPICS.dispatcherInputs().matcher("k.attempts.reports").matches()).isTrue();
        assertThat(TOPICS.dispatcherInputs().matcher("k.jobs.events").matches()).isFalse();
        assertThat(TOPICS.isCommands("k.tenants.acme.commands")).isTrue();
        assertThat(TOPICS.isCommands("k.attempts.reports")).isFalse();
        assertThat(TOPICS.dispatcherInputTopics(java.util.List.of("k.jobs.events", "k.tenants.b.commands",
                "k.tenants.a.commands", "x.tenants.c.commands")))
                .containsExactly("k.jobs.commands", "k.attempts.reports", "k.tenants.a.commands", "k.tenants.b.commands");
    }
}
