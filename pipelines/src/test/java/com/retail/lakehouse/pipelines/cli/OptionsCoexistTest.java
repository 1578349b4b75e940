package com.retail.lakehouse.pipelines.cli;

import static org.assertj.core.api.Assertions.assertThatCode;

import com.retail.lakehouse.pipelines.bench.BenchCommand;
import com.retail.lakehouse.pipelines.demo.DemoCommand;
import com.retail.lakehouse.pipelines.ingest.IngestOptions;
import com.retail.lakehouse.pipelines.maintain.MaintainOptions;
import com.retail.lakehouse.pipelines.mart.MartOptions;
import com.retail.lakehouse.pipelines.smoke.SmokeCommand;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * Every command's options in one JVM, as the console, the tests and a long-lived launcher meet
 * them: Beam refuses a property that two interfaces declare with different defaults or types once
 * both are known (a bench option {@code --days} with its own default broke the demo's this way).
 */
class OptionsCoexistTest {
  @Test
  void everyCommandsOptionsParseInOneJvmInEitherOrder() {
    List<Class<? extends PipelineOptions>> all =
        List.of(
            IngestOptions.class,
            MartOptions.class,
            MaintainOptions.class,
            DemoCommand.DemoOptions.class,
            BenchCommand.BenchOptions.class,
            SmokeCommand.SmokeOptions.class);
    for (int round = 0; round < 2; round++) {
      for (Class<? extends PipelineOptions> options : round == 0 ? all : reversed(all)) {
        PipelineOptionsFactory.register(options);
        assertThatCode(
                () ->
                    PipelineOptionsFactory.fromArgs("--days=2").withoutStrictParsing().as(options))
            .as(options.getSimpleName())
            .doesNotThrowAnyException();
      }
    }
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> r = new java.util.ArrayList<>(list);
    java.util.Collections.reverse(r);
    return r;
  }
}
