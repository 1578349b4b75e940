package com.retail.lakehouse.pipelines.run;

import com.retail.lakehouse.transforms.metrics.MetricNames;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** The Beam counters of a finished pipeline, by {@link MetricNames} name, summed over steps. */
public final class PipelineCounters {
  private final Map<String, Long> sums;

  private PipelineCounters(Map<String, Long> sums) {
    this.sums = sums;
  }

  /** The counters of the lakehouse namespace (committed values where the runner has them). */
  public static PipelineCounters of(PipelineResult result) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(MetricNames.NAMESPACE))
                    .build());
    Map<String, Long> sums = new LinkedHashMap<>();
    for (MetricResult<Long> counter : metrics.getCounters()) {
      long value;
      try {
        value = counter.getCommitted();
      } catch (UnsupportedOperationException e) {
        value = counter.getAttempted();
      }
      sums.merge(counter.getName().getName(), value, Long::sum);
    }
    return new PipelineCounters(sums);
  }

  /** A counter's value; 0 if the pipeline never touched it. */
  public long get(String name) {
    return sums.getOrDefault(name, 0L);
  }
}
