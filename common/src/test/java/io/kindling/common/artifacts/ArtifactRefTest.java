package io.kindling.common.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArtifactRefTest {
    private static final String SHA = "ab".repeat(32);

    @Test
    void parsesAndFormats() {
        ArtifactRef ref = ArtifactRef.parse("artifact://acme/" + SHA + "/pi.py");
        assertThat(ref).isEqualTo(new ArtifactRef("acme", SHA, "pi.py"));
        assertThat(ref.uri()).isEqualTo("artifact://acme/" + SHA + "/pi.py");
        assertThat(ref.blobPath()).isEqualTo("artifacts/acme/" + SHA + "/pi.py");
    }

    @Test
    void refusesTraversalAndMalformedReferences() {
        for (String bad : new String[] {"artifact://../../etc/passwd", "artifact://acme/" + SHA + "/../x.py",
                "artifact://acme/" + SHA + "/a/b.py", "artifact://acme/nothex/pi.py", "artifact://../" + SHA + "/pi.py",
                "artifact://acme/" + SHA + "/", "artifact:///" + SHA + "/pi.py", "file:///etc/passwd"}) {
            assertThatThrownBy(() -> ArtifactRef.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void namesAreChecked() {
        assertThat(ArtifactRef.isSafe("my_app-1.0.zip")).isTrue();
        assertThat(ArtifactRef.isSafe("..")).isFalse();
        assertThat(ArtifactRef.isSafe("a b")).isFalse();
        assertThat(ArtifactRef.isSafe("a/b")).isFalse();
        assertThat(ArtifactRef.isSafe("")).isFalse();
    }
}
