package com.retail.lakehouse.generator.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Prints a bad option as one error line plus a hint to run {@code --help}, instead of picocli's
 * default full usage text, so scripts and people see the problem at once; returns exit code 2.
 *
 * <p>Install it on the root command line: {@code commandLine.setParameterExceptionHandler(new
 * ShortUsageErrors())}.
 */
public final class ShortUsageErrors implements IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getColorScheme().errorText(ex.getMessage()));
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
