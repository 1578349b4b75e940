package com.retail.lakehouse.infra;

import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.LegacyStackSynthesizer;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * The CDK app: one {@link LakehouseStack}, synthesized into a cloud assembly folder ({@code
 * manifest.json}, {@code <stack>.template.json}) that {@code cdk deploy --app DIR} deploys.
 *
 * <p>The stack uses the legacy synthesizer: the template has no assets and no bootstrap-version
 * parameter, so it deploys into an account that was never {@code cdk bootstrap}ped, with {@code cdk
 * deploy} or plain {@code aws cloudformation deploy}. Synthesis runs the CDK's JavaScript in the
 * machine's node through the jsii runtime (a Maven jar), offline.
 */
final class InfraApp {
  private InfraApp() {}

  /** The app with its stack, not yet synthesized; {@code outDir} is where synthesis writes. */
  static App build(Path outDir, InfraOptions options) {
    App app = new App(AppProps.builder().outdir(outDir.toAbsolutePath().toString()).build());
    stack(app, options);
    return app;
  }

  static LakehouseStack stack(App app, InfraOptions options) {
    return new LakehouseStack(
        app,
        options.stackName(),
        StackProps.builder()
            .stackName(options.stackName())
            .description(
                "Retail POS lakehouse: S3 lake bucket, Glue databases raw and marts, Athena"
                    + " workgroup, EMR Serverless Spark application and its job role"
                    + (options.mskServerless() ? ", MSK Serverless" : ""))
            .synthesizer(new LegacyStackSynthesizer())
            .build(),
        options);
  }

  /** Synthesizes the app into {@code outDir} and returns the assembly written there. */
  static CloudAssembly synth(Path outDir, InfraOptions options) {
    return build(outDir, options).synth();
  }
}
