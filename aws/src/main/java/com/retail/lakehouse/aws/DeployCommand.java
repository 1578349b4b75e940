package com.retail.lakehouse.aws;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./lakehouse deploy}: ship the pipelines to a cluster ({@code emr}). */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    subcommands = {EmrDeployCommand.class},
    description =
        "Deploy the pipelines: ./lakehouse deploy emr ... (see ./lakehouse deploy emr --help).")
final class DeployCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a target: emr");
  }
}
