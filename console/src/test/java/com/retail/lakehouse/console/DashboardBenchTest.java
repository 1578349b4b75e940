package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** bench dashboard refuses options that cannot make its data set before it starts anything. */
class DashboardBenchTest {
  @Test
  void optionsThatCannotMakeTheDataSetAreUsageErrors() {
    for (List<String> args :
        List.of(
            List.of("--rows", "5"),
            List.of("--rows", "100000", "--today-rows", "100000"),
            List.of("--days", "1"),
            List.of("--runner", "spark"),
            List.of("--runner", "storm"),
            List.of("--commit-interval", "0s"),
            List.of("--requests", "0"),
            List.of("--today-rows", "5000000"))) {
      StringWriter err = new StringWriter();
      CommandLine command = new CommandLine(new DashboardBench());
      command.setErr(new PrintWriter(err));
      assertThat(command.execute(args.toArray(String[]::new))).as(args.toString()).isEqualTo(2);
      assertThat(err.toString().lines().findFirst().orElse("")).as(args.toString()).contains("--");
    }
  }

  /** A folder that holds other data (a user's lakehouse-data) is never deleted for a data set. */
  @Test
  void aFolderWithOtherDataIsRefusedNotDeleted(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path mine = Files.writeString(dir.resolve("precious.txt"), "keep me");
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new DashboardBench());
    command.setErr(new PrintWriter(err));
    assertThat(command.execute("--rows", "100000", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("not a bench dashboard data set");
    assertThat(mine).hasContent("keep me");
  }

  @Test
  void storesAreSizedForTheRowsOfADay() {
    // the generator's model: about 1,450 lines per store and day
    assertThat(DashboardBench.storesFor(1_000_000, 1)).isBetween(600, 750);
    assertThat(DashboardBench.storesFor(9_000_000, 34)).isBetween(150, 220);
  }
}
