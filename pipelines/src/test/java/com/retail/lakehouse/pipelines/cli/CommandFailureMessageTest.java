package com.retail.lakehouse.pipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.tables.TableDefinition.CatalogAccessException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/**
 * The one line a failed command prints after its name: a catalog's refusal to create or load a
 * table keeps the message that names the table (the AWS exception under it names none), wherever it
 * sits in the chain; any other failure prints its root cause.
 */
class CommandFailureMessageTest {
  @Test
  void catalogAccessFailureKeepsTheTableNameEvenWhenWrapped() {
    RuntimeException denied =
        new RuntimeException("User: arn:aws:sts::1:assumed-role/job is not authorized");
    CatalogAccessException refused =
        new CatalogAccessException(
            "Cannot create table raw.pos_transactions: AccessDeniedException: not authorized",
            denied);

    assertThat(LakehouseCommand.failure(refused))
        .isEqualTo(
            "Cannot create table raw.pos_transactions: AccessDeniedException: not authorized");
    assertThat(LakehouseCommand.failure(new IllegalStateException("run failed", refused)))
        .isEqualTo(
            "Cannot create table raw.pos_transactions: AccessDeniedException: not authorized");
  }

  @Test
  void otherFailuresPrintTheirRootCause() {
    assertThat(
            LakehouseCommand.failure(
                new IllegalStateException(
                    "outer", new UncheckedIOException(new java.io.IOException("disk gone")))))
        .isEqualTo("failed: IOException: disk gone");
  }

  @Test
  void runningOutOfHeapSaysHowToGiveItMore() {
    // as a Beam runner reports it: the error wrapped in the pipeline's execution exception
    String line =
        LakehouseCommand.failure(
            new RuntimeException(
                "Pipeline execution failed", new OutOfMemoryError("Java heap space")));
    assertThat(line)
        .startsWith("failed: out of memory (Java heap space, max heap ")
        .endsWith("MiB): run it again with more, e.g. LAKEHOUSE_JAVA_OPTS=-Xmx8g");
  }
}
