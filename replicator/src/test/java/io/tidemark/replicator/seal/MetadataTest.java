package io.tidemark.replicator.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MetadataTest {

    @Test
    void shouldRoundTripEachKind() {
        Metadata cp = Metadata.parse(Metadata.checkpoint("after \"quiesce\" é").toBytes());
        Metadata start = Metadata.parse(ByteBuffer.wrap(Metadata.syncStart(1L << 40).toBytes()));
        Metadata done = Metadata.parse(Metadata.syncComplete().toBytes());

        assertThat(cp.isCheckpoint()).isTrue();
        assertThat(cp.name()).isEqualTo("after \"quiesce\" é");
        assertThat(start.isSyncStart()).isTrue();
        assertThat(start.bytes()).isEqualTo(1L << 40);
        assertThat(done.isSyncComplete()).isTrue();
        assertThat(new String(Metadata.syncComplete().toBytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"kind\":\"sync-complete\"}");
    }

    @Test
    void shouldKeepUnknownKindsAndRefuseWhatIsNotAnObjectWithAKind() {
        Metadata plan = Metadata.parse("{\"kind\":\"recovery-plan\",\"vms\":[]}".getBytes(StandardCharsets.UTF_8));

        assertThat(plan.kind()).isEqualTo("recovery-plan");
        assertThat(plan.json()).contains("vms");
        assertThatThrownBy(() -> Metadata.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: a JSON object");
        assertThatThrownBy(() -> Metadata.parse("{\"kind\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> Metadata.parse("{\"kind\":\"checkpoint\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("without a name");
        assertThatThrownBy(() -> Metadata.checkpoint("")).hasMessageContaining("expected: 1..256");
    }
}
