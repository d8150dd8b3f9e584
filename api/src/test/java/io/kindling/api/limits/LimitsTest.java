package io.kindling.api.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LimitsTest {
    @Test
    void connectionsAreCappedPerPrincipalAndInTotalAndFreedOnce() {
        ConnectionLimiter limiter = new ConnectionLimiter(2, 3);
        ConnectionLimiter.Outcome a1 = limiter.tryAcquire("a");
        ConnectionLimiter.Outcome a2 = limiter.tryAcquire("a");
        assertThat(limiter.tryAcquire("a")).isEqualTo(new ConnectionLimiter.Refused(ConnectionLimiter.Refusal.PRINCIPAL, 2));
        ConnectionLimiter.Outcome b1 = limiter.tryAcquire("b");
        assertThat(limiter.tryAcquire("c")).isEqualTo(new ConnectionLimiter.Refused(ConnectionLimiter.Refusal.TOTAL, 3));
        assertThat(limiter.inUse()).isEqualTo(3);
        assertThat(limiter.inUse("a")).isEqualTo(2);

        ConnectionLimiter.Permit permit = ((ConnectionLimiter.Granted) a1).permit();
        permit.close();
        permit.close();
        assertThat(limiter.inUse()).isEqualTo(2);
        assertThat(limiter.inUse("a")).isEqualTo(1);
        assertThat(limiter.tryAcquire("c")).isInstanceOf(ConnectionLimiter.Granted.class);
        ((ConnectionLimiter.Granted) a2).permit().close();
        ((ConnectionLimiter.Granted) b1).permit().close();
        assertThat(limiter.inUse("a")).isZero();
        assertThat(limiter.inUse()).isEqualTo(1);
    }

    @Test
    void submissionsArePerPrincipalAndSayWhenToRetry() {
        SubmitRateLimiter limiter = new SubmitRateLimiter(3);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("a")).isEmpty();
        }
        assertThat(limiter.acquire("a")).hasValue(1L);
        assertThat(limiter.acquire("b")).isEmpty();
    }
}
