package com.retail.lakehouse.infra;

import java.util.regex.Pattern;

/**
 * What is fixed when the templates are synthesized (everything else is a CloudFormation parameter
 * with a default): the stack's name, which also names the Athena workgroup, the Spark application
 * and the log group, and whether an MSK Serverless cluster is part of the stack. A name is checked
 * here, so that a bad one is a usage error before node starts.
 */
record InfraOptions(String stackName, boolean mskServerless) {
  /** CloudFormation's rule for stack names (and a valid workgroup and application name). */
  private static final Pattern STACK_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,63}");

  static final String DEFAULT_STACK_NAME = "lakehouse";

  InfraOptions {
    if (stackName == null || !STACK_NAME.matcher(stackName).matches()) {
      throw new IllegalArgumentException(
          "--stack-name must start with a letter and hold only letters, digits and '-' (at most"
              + " 64), got '"
              + stackName
              + "'");
    }
  }
}
