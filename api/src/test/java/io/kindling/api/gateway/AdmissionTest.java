package io.kindling.api.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.api.auth.Principal;
import io.kindling.api.auth.Role;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private final Map<String, Principal> tokens = Map.of(
            "alice-token", new Principal("alice", Set.of("team-a"), Set.of(Role.SUBMIT)),
            "bob-token", new Principal("bob", Set.of("team-b"), Set.of(Role.SUBMIT)),
            "admin-token", new Principal("root", Set.of("default"), Set.of(Role.ADMIN)));
    private final Admission admission = new Admission(
            id -> id.equals("s1") ? Optional.of(new SessionRoute("s1", "team-a", "hash")) : Optional.empty(),
            token -> Optional.ofNullable(tokens.get(token)));

    private static Http2Headers call(String session, String authorization) {
        Http2Headers headers = new DefaultHttp2Headers().path("/spark.connect.SparkConnectService/ExecutePlan");
        if (session != null) {
            headers.set(Admission.SESSION_HEADER, session);
        }
        if (authorization != null) {
            headers.set("authorization", authorization);
        }
        return headers;
    }

    @Test
    void admitsAPrincipalOfTheSessionsTenant() {
        Admission.Verdict verdict = admission.check(call("s1", "Bearer alice-token"));
        assertThat(verdict.admitted()).isTrue();
        assertThat(verdict.route().sessionId()).isEqualTo("s1");
    }

    @Test
    void anAdminActsInEveryTenant() {
        assertThat(admission.check(call("s1", "Bearer admin-token")).admitted()).isTrue();
    }

    @Test
    void refusesAnotherTenantsPrincipal() {
        Admission.Verdict verdict = admission.check(call("s1", "Bearer bob-token"));
        assertThat(verdict.admitted()).isFalse();
        assertThat(verdict.code()).isEqualTo(Admission.PERMISSION_DENIED);
    }

    @Test
    void refusesMissingOrUnknownTokens() {
        assertThat(admission.check(call("s1", null)).code()).isEqualTo(Admission.UNAUTHENTICATED);
        assertThat(admission.check(call("s1", "Basic abc")).code()).isEqualTo(Admission.UNAUTHENTICATED);
        assertThat(admission.check(call("s1", "Bearer nope")).code()).isEqualTo(Admission.UNAUTHENTICATED);
    }

    @Test
    void refusesCallsWithoutALiveSession() {
        assertThat(admission.check(call(null, "Bearer alice-token")).code()).isEqualTo(Admission.NOT_FOUND);
        assertThat(admission.check(call("s2", "Bearer alice-token")).reason()).contains("no live session s2");
    }
}
