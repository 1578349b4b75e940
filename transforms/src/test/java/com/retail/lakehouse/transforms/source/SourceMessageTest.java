package com.retail.lakehouse.transforms.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

class SourceMessageTest {
  @Test
  void coderRoundTripsAllFieldsIncludingNullKeyAndValue() throws Exception {
    SourceMessage full =
        new SourceMessage(
            "pos-events",
            3,
            123_456_789_012L,
            1_700_000_000_000L,
            "S007".getBytes(StandardCharsets.UTF_8),
            new byte[] {1, 2, 3});
    SourceMessage tombstone = new SourceMessage("pos-events", 0, 0, 0, null, null);

    for (SourceMessage m : new SourceMessage[] {full, tombstone}) {
      SourceMessage decoded =
          CoderUtils.decodeFromByteArray(
              SourceMessage.Coder.of(), CoderUtils.encodeToByteArray(SourceMessage.Coder.of(), m));
      assertThat(decoded).isEqualTo(m);
      assertThat(decoded.key()).isEqualTo(m.key());
      assertThat(decoded.value()).isEqualTo(m.value());
      assertThat(decoded.kafkaTimestampMillis()).isEqualTo(m.kafkaTimestampMillis());
    }
  }

  @Test
  void coderIsInferredFromTheDefaultCoderAnnotation() throws Exception {
    Coder<SourceMessage> coder =
        Pipeline.create(PipelineOptionsFactory.create())
            .getCoderRegistry()
            .getCoder(SourceMessage.class);

    assertThat(coder).isInstanceOf(SourceMessage.Coder.class);
  }
}
