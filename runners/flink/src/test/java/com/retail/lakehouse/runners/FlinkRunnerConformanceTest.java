package com.retail.lakehouse.runners;

import com.retail.lakehouse.pipelines.conformance.RunnerConformance;

/**
 * The runner conformance suite on the Flink runner (only its jars are on this module's classpath).
 */
class FlinkRunnerConformanceTest extends RunnerConformance {}
