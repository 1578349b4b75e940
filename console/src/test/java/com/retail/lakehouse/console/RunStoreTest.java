package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run history on its real H2 file. */
class RunStoreTest {
  @TempDir Path dataDir;
  private DataSource source;
  private RunStore store;

  @BeforeEach
  void open() {
    source = Database.open(dataDir, null);
    store = new RunStore(source);
  }

  @AfterEach
  void close() {
    Database.close(source);
  }

  @Test
  void aRunKeyGivesOneRunHoweverOftenAndConcurrentlyItIsAskedFor() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<RunStore.Created>> asks =
          java.util.stream.IntStream.range(0, 32)
              .mapToObj(i -> pool.submit(() -> store.create(run("schedule:ingest:t1"))))
              .toList();
      long created = 0;
      long id = -1;
      for (Future<RunStore.Created> f : asks) {
        RunStore.Created c = f.get();
        created += c.created() ? 1 : 0;
        assertThat(id == -1 || id == c.run().id()).isTrue();
        id = c.run().id();
      }
      assertThat(created).isEqualTo(1);
      assertThat(store.list(new RunStore.Filter("ingest", null, null, null), 100, null)).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.create(run("schedule:ingest:t2")).created()).isTrue();
    assertThat(store.create(run(null)).created()).isTrue();
    assertThat(store.create(run(null)).created()).isTrue(); // no key: no de-duplication
  }

  @Test
  void statusMovesOnlyAsTheStateMachineAllows() {
    Run run = store.create(run("k")).run();
    assertThat(store.markEnded(run.id(), RunStatus.SUCCEEDED, 0, null, null))
        .as("queued -> succeeded skips running")
        .isFalse();
    assertThat(store.markStarted(run.id(), 1234L, java.time.Instant.now(), "/tmp/log")).isTrue();
    assertThat(store.markStarted(run.id(), 1234L, java.time.Instant.now(), "/tmp/log"))
        .as("a running run is not started twice")
        .isFalse();
    assertThat(store.markEnded(run.id(), RunStatus.FAILED, 1, "boom", Map.of("read", 3))).isTrue();
    assertThat(store.markEnded(run.id(), RunStatus.SUCCEEDED, 0, null, null))
        .as("an ended run stays ended")
        .isFalse();
    Run ended = store.get(run.id()).orElseThrow();
    assertThat(ended.status()).isEqualTo(RunStatus.FAILED);
    assertThat(ended.message()).isEqualTo("boom");
    assertThat(ended.summary()).containsEntry("read", 3);
    assertThat(ended.pid()).isEqualTo(1234L);
  }

  @Test
  void theSensorCursorMovesWithItsRunAndSurvivesAReopen() {
    store.createAndMoveCursor(martRun("raw-snapshot:5"), Console.SENSOR, "5");
    RunStore.Created again =
        store.createAndMoveCursor(martRun("raw-snapshot:5"), Console.SENSOR, "5");
    assertThat(again.created()).isFalse();
    Database.close(source);
    source = Database.open(dataDir, null);
    store = new RunStore(source);
    RunStore.State state = store.state(Console.SENSOR);
    assertThat(state.cursor()).isEqualTo("5");
    assertThat(state.lastRunKey()).isEqualTo("raw-snapshot:5");
    assertThat(store.list(new RunStore.Filter("mart", null, null, null), 10, null)).hasSize(1);
    store.setPaused(Console.SENSOR, true);
    assertThat(store.state(Console.SENSOR).paused()).isTrue();
    assertThat(store.state(Console.SENSOR).cursor()).as("pausing keeps the cursor").isEqualTo("5");
  }

  private static RunStore.NewRun run(String key) {
    return new RunStore.NewRun("ingest", Trigger.SCHEDULE, Map.of(), 1, 3, null, null, key, null);
  }

  private static RunStore.NewRun martRun(String key) {
    return new RunStore.NewRun(
        "mart",
        Trigger.SENSOR,
        Map.of("dates", List.of("2026-11-24")),
        1,
        3,
        null,
        null,
        key,
        null);
  }
}
