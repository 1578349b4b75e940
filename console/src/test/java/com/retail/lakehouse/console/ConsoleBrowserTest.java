package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console's web UI in a real browser (Debian's headless Chromium) against a real server whose
 * jobs run as child JVMs: a backfill started from the Jobs page runs the mart for a few dates, its
 * runs turn green, a run's live log shows what the mart job prints, and the Partitions page shows
 * the dates up to date. Saves a screenshot of each page to target/screenshots.
 *
 * <p>The browser and its driver come from the OS packages ({@code chromium}, {@code
 * chromium-driver}; CI installs them), never from a download: the driver path is given to the
 * service, so Selenium Manager is skipped. Without /usr/bin/chromium the test is skipped.
 */
class ConsoleBrowserTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  /**
   * Each mart run is a Beam job in a child JVM (~10-20 s); the backfill's runs queue behind each
   * other.
   */
  private static final Duration BACKFILL_TIMEOUT = Duration.ofMinutes(4);

  @TempDir static Path temp;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ConsoleServer server;
  private static ChromeDriver driver;

  @BeforeAll
  static void startServerAndBrowser() throws Exception {
    assumeTrue(
        HeadlessChromium.installed(),
        "skipped: no /usr/bin/chromium and /usr/bin/chromedriver here"
            + " (apt-get install chromium chromium-driver; .ci/run installs them)");
    Path dataDir = ConsoleTestSupport.dataDirWithRawDays(temp);
    server = ConsoleTestSupport.startServer(dataDir);

    driver = HeadlessChromium.start(1400, 1000);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      HeadlessChromium.quit(driver);
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void backfillFromTheJobsPageBuildsTheMartAndThePagesShowIt() throws Exception {
    withEvidence("failure", this::backfillAndCheckEveryPage);
  }

  private void backfillAndCheckEveryPage() throws Exception {
    // The sale dates raw holds (ConsoleTestSupport: DAYS dates from START).
    LocalDate from = LocalDate.parse(ConsoleTestSupport.START);
    int dayCount = ConsoleTestSupport.DAYS;
    LocalDate to = from.plusDays(dayCount - 1);
    List<String> dates = from.datesUntil(to.plusDays(1)).map(LocalDate::toString).toList();

    // Jobs: fill the backfill form and submit; the UI moves to the new backfill.
    open("#/jobs");
    waitFor(Duration.ofSeconds(30), "#jobs table", 1);
    setDate("backfill-from", from);
    setDate("backfill-to", to);
    assertThat(driver.findElement(By.id("backfill-job")).getAttribute("value")).isEqualTo("mart");
    driver.findElement(By.id("backfill-submit")).click();
    new WebDriverWait(driver, Duration.ofSeconds(20))
        .until(ExpectedConditions.urlMatches("#/backfills/\\d+$"));
    String url = driver.getCurrentUrl();
    String backfillId = url.substring(url.lastIndexOf('/') + 1);
    String card = "#backfill-" + backfillId;
    List<WebElement> dateCells = waitFor(Duration.ofSeconds(20), card + " .bf-cell", dayCount);
    assertThat(dateCells).hasSize(dayCount);
    assertThat(dateCells.get(0).getAttribute("data-date")).isEqualTo(from.toString());

    // The first date's run: its live log tail shows what `./lakehouse mart` prints while it runs.
    String firstRunHref = dateCells.get(0).getAttribute("href");
    String runId = firstRunHref.substring(firstRunHref.lastIndexOf('/') + 1);
    open("#/runs/" + runId);
    new WebDriverWait(driver, BACKFILL_TIMEOUT, Duration.ofMillis(500))
        .until(d -> d.findElement(By.id("log")).getText().contains("lakehouse: mart run"));
    assertThat(driver.findElement(By.id("log")).getText()).contains(from.toString());
    new WebDriverWait(driver, BACKFILL_TIMEOUT, Duration.ofMillis(500))
        .until(
            d ->
                !d.findElements(By.cssSelector("h1 .badge.status-succeeded")).isEmpty()
                    && d.findElement(By.id("log-state")).getText().contains("complete"));
    assertThat(driver.findElement(By.id("summary")).getText()).contains("\"snapshot_id\"");
    // 64-bit snapshot ids shown exactly (a JS number would round them past 2^53).
    JsonNode run = JSON.readTree(ConsoleTestSupport.get(server.url(), "/api/runs/" + runId).body());
    String snapshotId = run.path("summary").path("snapshot_id").asText();
    assertThat(snapshotId).isNotBlank();
    assertThat(driver.findElement(By.id("snapshots")).getText()).contains(snapshotId);
    assertThat(driver.findElements(By.id("cancel-run"))).isEmpty();
    screenshot("run-detail");

    // The backfill: every date's run turns green.
    open("#/backfills/" + backfillId);
    new WebDriverWait(driver, BACKFILL_TIMEOUT, Duration.ofSeconds(1))
        .until(
            d ->
                d.findElements(By.cssSelector(card + " .bf-cell.status-succeeded")).size()
                    == dayCount);
    assertThat(driver.findElements(By.cssSelector(card + " .bf-cell.status-failed"))).isEmpty();
    open("#/jobs");
    waitFor(Duration.ofSeconds(30), card + " .bf-cell.status-succeeded", dayCount);
    waitFor(Duration.ofSeconds(30), "#schedules", 1);
    screenshot("jobs");

    // Partitions: the backfilled dates are up to date (green).
    open("#/partitions");
    new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofSeconds(1))
        .withMessage(() -> "cells of " + dates + " up to date")
        .until(
            d -> dates.stream().allMatch(date -> cellClass(d, date).contains("state-up_to_date")));
    WebElement firstCell =
        driver.findElement(By.cssSelector("#partitions .cell[data-date='" + from + "']"));
    assertThat(firstCell.getAttribute("title")).contains(from.toString()).contains("up to date");
    firstCell.click();
    waitFor(Duration.ofSeconds(20), "#partition-detail tr[data-run-id='" + runId + "']", 1);
    assertThat(driver.findElement(By.id("rebuild")).getText()).contains(from.toString());
    screenshot("partitions");

    // Tables and Runs render from the API without an error banner.
    open("#/tables");
    waitFor(Duration.ofSeconds(30), "#tables table", 1);
    assertThat(driver.findElement(By.id("tables")).getText()).contains("raw.pos_transactions");
    screenshot("tables");
    open("#/runs");
    List<WebElement> rows =
        waitFor(Duration.ofSeconds(30), "#runs-table tr[data-run-id]", dayCount);
    assertThat(rows.size()).isGreaterThanOrEqualTo(dayCount);
    assertThat(driver.findElement(By.id("banner")).isDisplayed()).isFalse();
    assertThat(driver.findElement(By.id("health")).getText()).contains("ok");
    screenshot("runs");

    assertThat(scriptErrors()).as("JavaScript errors in the browser console").isEmpty();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aChangeRefusedForWantOfTheTokenAsksForItAndGoesThroughWithIt() throws Exception {
    Path empty = Files.createDirectories(temp.resolve("guarded"));
    ConsoleSettings settings =
        ConsoleSettings.defaults(empty, Path.of("."))
            .withAddress("127.0.0.1", 0)
            .withSchedules(
                ZoneOffset.UTC, "0 0 3 * * *", "0 0 2 * * *", true, Duration.ofSeconds(1))
            .withDatabase(null, "s3cret");
    try (ConsoleServer guarded = ConsoleServer.start(settings)) {
      withEvidence("failure-token", () -> tokenPrompt(guarded));
    } finally {
      ((JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
    }
  }

  private void tokenPrompt(ConsoleServer guarded) {
    open(guarded, "#/jobs");
    ((JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
    waitFor(Duration.ofSeconds(30), "#sensors button.resume", 1).get(0).click();

    // 401: a one-line banner and the token prompt; the token is kept for the tab only.
    new WebDriverWait(driver, Duration.ofSeconds(10))
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("token-form")));
    assertThat(driver.findElement(By.id("banner")).getText()).contains("Bearer");
    driver.findElement(By.id("token-input")).sendKeys("s3cret");
    driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();

    // The refused change goes through once the token is given: the (test-paused) sensor resumes.
    waitFor(Duration.ofSeconds(15), "#sensors button.pause", 1);
    assertThat(driver.findElement(By.id("banner")).isDisplayed()).isFalse();
    assertThat(
            ((JavascriptExecutor) driver)
                .executeScript("return sessionStorage.getItem('lakehouse.token')"))
        .isEqualTo("s3cret");
  }

  private static void open(String hash) {
    open(server, hash);
  }

  private static void open(ConsoleServer console, String hash) {
    // Hash navigation: the single-page app routes without a page load.
    URI base = console.url().resolve("/");
    if (!driver.getCurrentUrl().startsWith(base.toString())) {
      driver.get(base.toString());
    }
    ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", hash);
  }

  private static List<WebElement> waitFor(Duration timeout, String css, int atLeast) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(250))
        .withMessage(() -> "at least " + atLeast + " of " + css)
        .until(
            d -> {
              List<WebElement> found = d.findElements(By.cssSelector(css));
              return found.size() >= atLeast ? found : null;
            });
  }

  /** Date inputs take keys in the browser's locale format; setting the value is locale-free. */
  private static void setDate(String id, LocalDate date) {
    WebElement input = driver.findElement(By.id(id));
    ((JavascriptExecutor) driver)
        .executeScript(
            "arguments[0].value = arguments[1];"
                + " arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                + " arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            input,
            date.toString());
    assertThat(input.getAttribute("value")).isEqualTo(date.toString());
  }

  private static String cellClass(WebDriver d, String date) {
    List<WebElement> cell =
        d.findElements(By.cssSelector("#partitions .cell[data-date='" + date + "']"));
    return cell.isEmpty() ? "" : String.valueOf(cell.get(0).getAttribute("class"));
  }

  /** A full-page screenshot: the window grows to the page's height for the shot. */
  private static void screenshot(String name) throws IOException {
    Dimension before = driver.manage().window().getSize();
    JavascriptExecutor js = (JavascriptExecutor) driver;
    for (int i = 0; i < 2; i++) { // twice: the page may reflow at the new size
      Number page = (Number) js.executeScript("return document.documentElement.scrollHeight");
      Number frame = (Number) js.executeScript("return window.outerHeight - window.innerHeight");
      int height = Math.max(before.getHeight(), page.intValue() + Math.max(0, frame.intValue()));
      driver.manage().window().setSize(new Dimension(before.getWidth(), height));
    }
    try {
      File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.copy(
          shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      driver.manage().window().setSize(before);
    }
  }

  interface Steps {
    void run() throws Exception;
  }

  /** Runs steps; on failure saves the page as it was: target/screenshots/{name}.{png,html}. */
  private static void withEvidence(String name, Steps steps) throws Exception {
    try {
      steps.run();
    } catch (Exception | AssertionError e) {
      saveFailureEvidence(name);
      throw e;
    }
  }

  private static void saveFailureEvidence(String name) {
    try {
      screenshot(name);
      Files.writeString(SCREENSHOTS.resolve(name + ".html"), driver.getPageSource());
    } catch (IOException | RuntimeException ignored) {
      // the failure itself is what matters
    }
  }

  /** Uncaught exceptions and failed script loads (network errors of API calls are not counted). */
  private static List<String> scriptErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !m.contains("/api/"))
        .toList();
  }
}
