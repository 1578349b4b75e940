package com.retail.lakehouse.console;

import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.console.tables.LakehouseTables;
import com.retail.lakehouse.localkafka.LocalKafkaBroker;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import javax.sql.DataSource;

/**
 * A running console: database, run launcher, scheduler, sensor, checks and the HTTP server, started
 * together and stopped together. Start-up order makes restarts safe: runs a dead console left
 * "running" are resolved (and retried by the policy) before anything new starts, then the scheduler
 * fires the ticks it missed (once), then the web server opens.
 */
public final class ConsoleServer implements AutoCloseable {
  private final DataSource source;
  private final Console console;
  private final RunLauncher launcher;
  private final ConsoleScheduler scheduler;
  private final Javalin web;
  private final URI url;

  private ConsoleServer(
      DataSource source,
      Console console,
      RunLauncher launcher,
      ConsoleScheduler scheduler,
      Javalin web,
      URI url) {
    this.source = source;
    this.console = console;
    this.launcher = launcher;
    this.scheduler = scheduler;
    this.web = web;
    this.url = url;
  }

  /** Starts a console with {@code settings}; fails with a one-line message on a bad setting. */
  public static ConsoleServer start(ConsoleSettings settings) {
    if (!settings.loopbackOnly() && settings.authToken() == null) {
      throw new IllegalArgumentException(
          "serving on "
              + settings.host()
              + " (beyond this machine) needs a token: set --auth-token or LAKEHOUSE_TOKEN");
    }
    new WallClockCron(settings.ingestCron(), settings.zone()); // checks both expressions
    new WallClockCron(settings.martCron(), settings.zone());
    new WallClockCron(settings.maintainCron(), settings.zone());
    DataSource source = Database.open(settings.dataDir(), settings.dbUrl());
    RunStore store = new RunStore(source);
    Jobs jobs = new Jobs(settings);
    LakehouseTables tables =
        new LakehouseTables(
            CatalogSettings.of(
                CatalogFlags.of("hadoop", settings.dataDir().toString(), null, null, List.of())),
            kafka(settings),
            settings.topic());
    Console console = new Console(settings, store, jobs, tables);
    RunLauncher launcher = new RunLauncher(settings, store, jobs, console::ended);
    console.onNewRuns(launcher::wake);
    launcher.recoverOrphans();
    console.queueMissingRetries();
    ConsoleScheduler scheduler =
        new ConsoleScheduler(settings, store, source, console::tick, console::evaluateSensor);
    Api api = new Api(settings, store, jobs, console, launcher, scheduler);
    Javalin web;
    try {
      web =
          Javalin.create(
                  config -> {
                    api.configure(config);
                    Api.accessErrors(config);
                  })
              .start();
    } catch (RuntimeException e) {
      launcher.close();
      Database.close(source);
      throw new IllegalStateException(
          "cannot serve on "
              + settings.host()
              + ":"
              + settings.port()
              + " ("
              + e.getMessage()
              + "): is the port taken? choose another with --port",
          e);
    }
    launcher.start();
    scheduler.start();
    api.warmUpDashboard();
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    return new ConsoleServer(
        source,
        console,
        launcher,
        scheduler,
        web,
        URI.create("http://" + host + ":" + web.port() + "/"));
  }

  /** The Kafka the lag is measured on: the configured one, or the data folder's running broker. */
  private static String kafka(ConsoleSettings settings) {
    if (settings.bootstrapServers() != null) {
      return settings.bootstrapServers();
    }
    try {
      return LocalKafkaBroker.runningAddress(settings.dataDir()).orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  /** How many runs are going now. */
  public int activeRuns() {
    return launcher.activeCount();
  }

  /** The console's base URL, e.g. {@code http://127.0.0.1:8080/}. */
  public URI url() {
    return url;
  }

  /**
   * Stops the web server and the scheduler; runs still going are stopped and marked failed, so a
   * restarted console retries them.
   */
  @Override
  public void close() {
    web.stop();
    launcher.close(); // first: no run starts while the rest stops
    scheduler.close();
    console.close();
    Database.close(source);
  }
}
