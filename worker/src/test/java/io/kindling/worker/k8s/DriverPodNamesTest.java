package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DriverPodNamesTest {

    @Test
    void aShortAttemptIdNamesItsObjectsReadably() {
        DriverPodNames names = DriverPodNames.of("nightly-etl-a2");
        assertThat(names.driverPod()).isEqualTo("kd-nightly-etl-a2-driver");
        assertThat(names.configMap()).isEqualTo("kd-nightly-etl-a2-conf");
        assertThat(names.driverService()).isEqualTo("kd-nightly-etl-a2-svc");
        assertThat(names.driverHost("ns")).isEqualTo("kd-nightly-etl-a2-svc.ns.svc");
    }

    @Test
    void aLongAttemptIdIsHashedButKeepsItsAttemptAndIsStable() {
        String id = "x".repeat(63) + "-a12";
        DriverPodNames names = DriverPodNames.of(id);
        assertThat(names.base()).matches("kd-[0-9a-f]{12}-a12").hasSizeLessThanOrEqualTo(DriverPodNames.MAX_BASE);
        assertThat(names.driverPod().length()).isLessThanOrEqualTo(63);
        assertThat(DriverPodNames.of(id)).isEqualTo(names);
        assertThat(DriverPodNames.of("x".repeat(63) + "-a13").base()).isNotEqualTo(names.base());
    }

    @Test
    void idsWithCharactersKubernetesRejectsAreHashed() {
        assertThat(DriverPodNames.of("Job_1-a1").base()).matches("kd-[0-9a-f]{12}-a1");
    }

    @Test
    void labelValuesAreValidAndDistinct() {
        assertThat(DriverPodNames.labelValue("nightly-etl-a2")).isEqualTo("nightly-etl-a2");
        String tooLong = "a".repeat(70);
        assertThat(DriverPodNames.labelValue(tooLong)).hasSizeLessThanOrEqualTo(63).startsWith("aaaa");
        assertThat(DriverPodNames.labelValue("ends-with-")).matches("[a-z0-9-]+[a-z0-9]").isNotEqualTo("ends-with");
        assertThat(DriverPodNames.labelValue("-$(x)\n")).matches("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
    }
}
