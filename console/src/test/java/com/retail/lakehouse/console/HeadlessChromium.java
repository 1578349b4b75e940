package com.retail.lakehouse.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven by its chromedriver, the one browser set-up of the console's
 * browser tests: the driver path is given, so Selenium Manager never tries a download; the flags
 * keep Chromium off the (closed) network; the browser console is logged for the tests to read.
 *
 * <p>The profile and chromedriver's log live in a folder of their own, never in a test's
 * {@code @TempDir}: Chromium's helper processes still write into the profile for a moment after
 * {@code quit()} returns, and JUnit's clean-up of a {@code @TempDir} fails on a file that appears
 * while it deletes (a CI run failed so). {@link #quit} waits for those processes, then removes the
 * folder.
 */
public final class HeadlessChromium {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static final Duration PROCESS_EXIT = Duration.ofSeconds(20);
  private static final Map<ChromeDriver, Path> FOLDERS = new ConcurrentHashMap<>();

  private HeadlessChromium() {}

  /** True when both Debian packages are installed (.ci/run installs them). */
  public static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  /**
   * A new browser with a fresh profile, the window {@code width x height}; end it with {@link
   * #quit}.
   */
  public static ChromeDriver start(int width, int height) throws IOException {
    Path folder = Files.createTempDirectory("lakehouse-chromium-");
    Path profile = Files.createDirectories(folder.resolve("profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile()) // no Selenium Manager, no download
            .usingAnyFreePort()
            .withLogFile(folder.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    FOLDERS.put(driver, folder);
    return driver;
  }

  /**
   * Quits the browser, waits (at most 20 s) until no process of its profile is left, then removes
   * its folder; a null driver (a skipped test) is fine.
   */
  public static void quit(ChromeDriver driver) {
    if (driver == null) {
      return;
    }
    Path folder = FOLDERS.remove(driver);
    try {
      driver.quit();
    } finally {
      if (folder != null) {
        awaitNoProcessUsing(folder.toString());
        deleteQuietly(folder);
      }
    }
  }

  private static void awaitNoProcessUsing(String folder) {
    long deadline = System.nanoTime() + PROCESS_EXIT.toNanos();
    System.err.println(
        "TMPDEBUG left after quit: "
            + processesUsing(folder).map(p -> p.info().command().orElse("?")).toList());
    while (System.nanoTime() < deadline && processesUsing(folder).findAny().isPresent()) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    processesUsing(folder).forEach(ProcessHandle::destroyForcibly); // a helper that hung
  }

  private static Stream<ProcessHandle> processesUsing(String folder) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(folder)).orElse(false));
  }

  private static void deleteQuietly(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // a folder under the system's temp directory: left for the OS to clean, never a test failure
    }
  }
}
