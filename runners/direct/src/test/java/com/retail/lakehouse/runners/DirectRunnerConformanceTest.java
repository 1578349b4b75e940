package com.retail.lakehouse.runners;

import com.retail.lakehouse.pipelines.conformance.RunnerConformance;

/**
 * The runner conformance suite on the Direct runner (only its jars are on this module's classpath).
 */
class DirectRunnerConformanceTest extends RunnerConformance {}
