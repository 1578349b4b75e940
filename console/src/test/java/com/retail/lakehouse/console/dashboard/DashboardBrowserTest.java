package com.retail.lakehouse.console.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.console.ConsoleServer;
import com.retail.lakehouse.console.ConsoleTestSupport;
import com.retail.lakehouse.console.HeadlessChromium;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard pages in a real browser (Debian's headless Chromium, as ConsoleBrowserTest) on
 * ConsoleTestSupport's days after a real mart run: the Daily page follows a changed date range and
 * its revenue tile equals the API's figure, its chart library loads from the jar, its CSV link
 * answers the CSV, a chosen category sets its tiles to the API's figures of that category; the Live
 * page shows the API's revenue of a day, a sparkline per store, the day's dead-letter rate and the
 * lag to Kafka, and refreshes by itself; both fit a phone's width. The Quality page, on tables made
 * with faults (QualityDashboardTest's two generator runs with the mart built in between, then a
 * console mart run of the late dates), shows the API's dead letters, duplicates and late rows,
 * links the reconciling run, draws its chart and refreshes by itself. Screenshots go to
 * target/screenshots (dashboard-daily.png, dashboard-live.png, dashboard-quality.png,
 * dashboard-quality-phone.png, dashboard-stock.png). The Stock page says what to run while the
 * stock mart does not exist, and on StockDashboardTest's two streams (marts built by a console mart
 * run and the inventory_mart run it starts) shows the API's stockouts, negative stock, low cover
 * and shrink, follows a chosen date and store, and refreshes by itself.
 */
class DashboardBrowserTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate FROM = LocalDate.parse(ConsoleTestSupport.START);
  private static final LocalDate TO = FROM.plusDays(ConsoleTestSupport.DAYS - 1);

  @TempDir static Path temp;
  private static ConsoleServer server;
  private static ChromeDriver driver;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        HeadlessChromium.installed(),
        "skipped: no /usr/bin/chromium and /usr/bin/chromedriver here");
    Path dataDir = ConsoleTestSupport.dataDirWithRawDays(temp);
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "mart", "--runner=direct", "--data-dir=" + dataDir, "--from=" + FROM, "--to=" + TO
                }))
        .as("mart")
        .isZero();
    server = ConsoleTestSupport.startServer(dataDir);
    driver = HeadlessChromium.start(1280, 800);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() {
    try {
      HeadlessChromium.quit(driver);
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void dailyAndLivePagesShowTheApisFigures() throws Exception {
    try {
      dailyAndLive();
    } catch (Exception | AssertionError e) {
      screenshot("dashboard-failure");
      Files.writeString(SCREENSHOTS.resolve("dashboard-failure.html"), driver.getPageSource());
      throw e;
    }
  }

  private void dailyAndLive() throws Exception {
    JavascriptExecutor js = driver;
    driver.manage().window().setSize(new Dimension(1280, 800));
    driver.get(server.url().resolve("/").toString());
    // the nav entry leads to the daily page; its default range ends at the mart's last day
    driver.findElement(By.cssSelector("nav a[data-section='dashboard']")).click();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(d -> TO.toString().equals(d.findElement(By.id("dash-to")).getAttribute("value")));

    // a new range: the revenue tile follows it and equals the API's revenue of that range
    LocalDate from = FROM.plusDays(1);
    setDate("dash-from", from);
    setDate("dash-to", TO);
    driver.findElement(By.id("dash-apply")).click();
    JsonNode api = get("/api/dashboard/daily?from=" + from + "&to=" + TO);
    String revenue = api.at("/totals/revenue").asText();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .withMessage(() -> "revenue tile = " + revenue)
        .until(d -> revenue.equals(d.findElement(By.id("kpi-revenue")).getText().replace(",", "")));
    assertThat(driver.findElement(By.id("kpi-revenue")).getAttribute("data-value"))
        .isEqualTo(revenue);
    assertThat(driver.findElement(By.id("kpi-units")).getAttribute("data-value"))
        .isEqualTo(api.at("/totals/units").asText());
    assertThat(driver.getCurrentUrl()).contains("from=" + from).contains("to=" + TO);
    assertThat(driver.findElements(By.cssSelector("#store-days tbody tr")))
        .hasSize(api.get("by_store_day").size());
    assertThat(driver.findElements(By.cssSelector("#top-products tbody tr")))
        .hasSize(api.get("top_products").size());
    // the chart library came from the jar and drew the line chart
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(d -> !d.findElements(By.cssSelector("#chart-daily canvas")).isEmpty());
    assertThat(js.executeScript("return window.echarts && window.echarts.version"))
        .isEqualTo("5.3.1");

    // the CSV link: an attachment whose first row is the header
    WebElement csv = driver.findElement(By.id("dash-csv"));
    assertThat(csv.getAttribute("href")).contains("/api/dashboard/daily.csv?from=" + from);
    Map<String, Object> fetched = fetchInPage(csv.getAttribute("href"));
    assertThat(fetched.get("status")).as(String.valueOf(fetched)).isEqualTo(200L);
    assertThat((String) fetched.get("disposition")).startsWith("attachment;");
    String body = (String) fetched.get("body");
    assertThat(body.lines().findFirst().orElse(""))
        .isEqualTo("sale_date,store_id,revenue,gross,returns,units,transactions,lines");
    assertThat(body.lines().count()).isEqualTo(1 + api.get("by_store_day").size());
    assertThat(driver.findElements(By.cssSelector("#top-categories tbody tr")))
        .hasSize(api.get("top_categories").size());
    // the top lists' CSV links: every product and category of the same range
    for (String table : List.of("products", "categories")) {
      String href = driver.findElement(By.id("dash-" + table + "-csv")).getAttribute("href");
      assertThat(href).contains("table=" + table).contains("from=" + from);
      Map<String, Object> list = fetchInPage(href);
      assertThat(list.get("status")).as(String.valueOf(list)).isEqualTo(200L);
      assertThat(((String) list.get("body")).lines().findFirst().orElse(""))
          .isEqualTo((table.equals("products") ? "product" : "category") + ",revenue,units");
    }

    // a category: the tiles follow it and equal the API's figures of that category
    String category = api.at("/top_categories/1/category").asText();
    WebElement categoryInput = driver.findElement(By.id("dash-category"));
    categoryInput.clear();
    categoryInput.sendKeys(category);
    driver.findElement(By.id("dash-apply")).click();
    JsonNode one =
        get(
            "/api/dashboard/daily?from="
                + from
                + "&to="
                + TO
                + "&category="
                + java.net.URLEncoder.encode(category, java.nio.charset.StandardCharsets.UTF_8));
    String categoryRevenue = one.at("/totals/revenue").asText();
    assertThat(categoryRevenue).isNotEqualTo(revenue);
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .withMessage(() -> "revenue tile of " + category + " = " + categoryRevenue)
        .until(
            d ->
                categoryRevenue.equals(
                    d.findElement(By.id("kpi-revenue")).getText().replace(",", "")));
    assertThat(driver.findElement(By.id("kpi-units")).getAttribute("data-value"))
        .isEqualTo(one.at("/totals/units").asText());
    assertThat(driver.findElements(By.cssSelector("#top-categories tbody tr"))).hasSize(1);
    assertThat(driver.findElement(By.id("dash-csv")).getAttribute("href")).contains("category=");
    screenshot("dashboard-daily");

    // Live, for a day raw holds: revenue equals the API's; the page refreshes by itself (5 s)
    LocalDate day = FROM.plusDays(1);
    driver.findElement(By.cssSelector(".dash-tabs a[href='#/dashboard/live']")).click();
    setDate("live-date", day);
    String liveRevenue = get("/api/dashboard/live?date=" + day).at("/totals/revenue").asText();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .withMessage(() -> "live revenue tile = " + liveRevenue)
        .until(
            d ->
                liveRevenue.equals(
                    d.findElement(By.id("live-revenue")).getText().replace(",", "")));
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(d -> !d.findElements(By.cssSelector("#chart-live canvas")).isEmpty());
    assertThat(driver.findElement(By.id("live-as-of")).getText())
        .matches("\\d{4}-\\d{2}-\\d{2} .*");
    // a sparkline per store, the day's dead-letter rate, the lag to Kafka: the API's figures
    JsonNode live = get("/api/dashboard/live?date=" + day);
    new WebDriverWait(driver, Duration.ofSeconds(15))
        .until(
            d ->
                d.findElements(By.cssSelector("#live-stores svg.sparkline polyline")).size()
                    == live.get("by_store").size());
    assertThat(
            driver
                .findElement(By.cssSelector("#live-stores svg.sparkline"))
                .getAttribute("aria-label"))
        .contains("revenue per hour, peak");
    String rate = live.at("/dead_letters/rate_pct").asText();
    new WebDriverWait(driver, Duration.ofSeconds(15))
        .withMessage(() -> "dead-letter rate tile = " + rate)
        .until(
            d -> rate.equals(d.findElement(By.id("live-dead-letters")).getAttribute("data-value")));
    long lag = get("/api/kafka/lag").get("lag").asLong();
    new WebDriverWait(driver, Duration.ofSeconds(15))
        .withMessage(() -> "lag " + lag)
        .until(d -> d.findElement(By.id("live-lag")).getText().equals(lag + " messages"));
    long before = liveRequests();
    new WebDriverWait(driver, Duration.ofSeconds(15), Duration.ofMillis(500))
        .withMessage("the live page asks again within 15 s")
        .until(d -> liveRequests() >= before + 2);
    screenshot("dashboard-live");

    // phone width: nothing wider than the screen
    driver.manage().window().setSize(new Dimension(390, 844));
    Thread.sleep(500);
    assertThat(
            (Boolean)
                js.executeScript(
                    "return document.documentElement.scrollWidth <= window.innerWidth + 1"))
        .as("no horizontal scrolling at phone width")
        .isTrue();
    screenshot("dashboard-live-phone");
    driver.manage().window().setSize(new Dimension(1280, 800));

    assertThat(scriptErrors()).as("JavaScript errors in the browser console").isEmpty();
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void qualityPageShowsTheApisFigures() throws Exception {
    Path dataDir = temp.resolve("quality").resolve("data");
    Files.createDirectories(dataDir);
    Manifest first = QualityDashboardTest.generateAndIngest(dataDir, QualityDashboardTest.FIRST, 7);
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "mart", "--runner=direct", "--data-dir=" + dataDir, "--changed-since-last-run"
                }))
        .as("mart")
        .isZero();
    Manifest second =
        QualityDashboardTest.generateAndIngest(dataDir, QualityDashboardTest.SECOND, 8);
    SortedSet<LocalDate> late = new TreeSet<>(QualityDashboardTest.linesPerDate(second).keySet());
    late.retainAll(QualityDashboardTest.datesOf(first));
    try (ConsoleServer quality = ConsoleTestSupport.startServer(dataDir)) {
      var created =
          ConsoleTestSupport.post(
              quality.url(),
              "/api/jobs/mart/runs",
              "{\"dates\":["
                  + String.join(",", late.stream().map(d -> "\"" + d + "\"").toList())
                  + "]}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      long runId = JSON.readTree(created.body()).get("id").asLong();
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  JSON.readTree(ConsoleTestSupport.get(quality.url(), "/api/runs/" + runId).body()),
              r ->
                  r.get("status").asText().equals("failed")
                      || r.get("checks").size() >= late.size());
      try {
        qualityPage(quality, late, runId);
      } catch (Exception | AssertionError e) {
        screenshot("dashboard-quality-failure");
        Files.writeString(
            SCREENSHOTS.resolve("dashboard-quality-failure.html"), driver.getPageSource());
        throw e;
      }
    }
  }

  private void qualityPage(ConsoleServer quality, SortedSet<LocalDate> late, long runId)
      throws Exception {
    JavascriptExecutor js = driver;
    driver.manage().window().setSize(new Dimension(1280, 800));
    driver.get(quality.url().resolve("/#/dashboard/daily").toString());
    driver.findElement(By.cssSelector(".dash-tabs a[href='#/dashboard/quality']")).click();
    var response = ConsoleTestSupport.get(quality.url(), "/api/dashboard/quality");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode api = JSON.readTree(response.body());
    String deadLetters = api.at("/totals/dead_letters").asText();
    assertThat(api.at("/totals/dead_letters").asLong()).isPositive();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .withMessage(() -> "dead-letter tile = " + deadLetters)
        .until(
            d ->
                deadLetters.equals(
                    d.findElement(By.id("quality-dead-letters")).getText().replace(",", "")));
    assertThat(driver.findElement(By.id("quality-duplicates")).getAttribute("data-value"))
        .isEqualTo(api.at("/totals/duplicates_dropped").asText());
    assertThat(driver.findElement(By.id("quality-late")).getAttribute("data-value"))
        .isEqualTo(api.at("/totals/late_rows").asText());
    LocalDate date = late.first();
    JsonNode row = null;
    for (JsonNode d : api.get("dates")) {
      if (d.get("date").asText().equals(date.toString())) {
        row = d;
      }
    }
    assertThat(row).isNotNull();
    WebElement tr =
        driver.findElement(By.cssSelector("#quality-dates tr[data-date='" + date + "']"));
    assertThat(tr.findElement(By.cssSelector(".late-rows")).getText().replace(",", ""))
        .isEqualTo(row.get("late_rows").asText());
    assertThat(tr.findElement(By.cssSelector("a")).getAttribute("href"))
        .endsWith("#/runs/" + runId);
    assertThat(tr.getText()).contains("ok");
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(d -> !d.findElements(By.cssSelector("#chart-dead-letters canvas")).isEmpty());
    assertThat(driver.findElement(By.id("quality-csv")).getAttribute("href"))
        .contains("/api/dashboard/quality.csv?from=");
    long before = qualityRequests();
    new WebDriverWait(driver, Duration.ofSeconds(25), Duration.ofMillis(500))
        .withMessage("the quality page asks again by itself")
        .until(d -> qualityRequests() >= before + 1);
    screenshot("dashboard-quality");

    driver.manage().window().setSize(new Dimension(390, 844));
    Thread.sleep(500);
    assertThat(
            (Boolean)
                js.executeScript(
                    "return document.documentElement.scrollWidth <= window.innerWidth + 1"))
        .as("no horizontal scrolling at phone width")
        .isTrue();
    screenshot("dashboard-quality-phone");
    driver.manage().window().setSize(new Dimension(1280, 800));
    assertThat(scriptErrors()).as("JavaScript errors in the browser console").isEmpty();
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void stockPageShowsTheApisFiguresOrTheOneLineHint() throws Exception {
    // ConsoleTestSupport's folder has POS only: no stock mart, the page says what to run
    driver.manage().window().setSize(new Dimension(1280, 800));
    driver.get("about:blank");
    scriptErrors(); // drops what an earlier test's page logged after its console stopped
    driver.get(server.url().resolve("/#/dashboard/daily").toString());
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(
            d ->
                !d.findElements(By.cssSelector(".dash-tabs a[href='#/dashboard/stock']"))
                    .isEmpty());
    driver.findElement(By.cssSelector(".dash-tabs a[href='#/dashboard/stock']")).click();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(d -> d.findElement(By.id("stock-missing")).isDisplayed());
    assertThat(driver.findElement(By.id("stock-missing")).getText())
        .isEqualTo(SalesDashboard.NO_STOCK_MART);
    assertThat(driver.findElement(By.id("stock-body")).isDisplayed()).isFalse();

    Path dataDir = StockDashboardTest.generateAndIngestBothStreams(temp.resolve("stock"));
    try (ConsoleServer stock = ConsoleTestSupport.startServer(dataDir)) {
      StockDashboardTest.martThenInventoryMart(stock.url());
      try {
        stockPage(stock);
      } catch (Exception | AssertionError e) {
        screenshot("dashboard-stock-failure");
        Files.writeString(
            SCREENSHOTS.resolve("dashboard-stock-failure.html"), driver.getPageSource());
        throw e;
      } finally {
        driver.get("about:blank"); // no page polling a console that is about to stop
      }
    }
  }

  private void stockPage(ConsoleServer stock) throws Exception {
    JavascriptExecutor js = driver;
    driver.get(stock.url().resolve("/#/dashboard/stock").toString());
    var response = ConsoleTestSupport.get(stock.url(), "/api/dashboard/stock");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode api = JSON.readTree(response.body());
    String out = api.at("/stockouts/skus_out_of_stock").asText();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .withMessage(() -> "stockout tile = " + out)
        .until(d -> out.equals(d.findElement(By.id("stock-out")).getAttribute("data-value")));
    assertThat(driver.findElement(By.id("stock-out")).getText().replace(",", "")).isEqualTo(out);
    assertThat(driver.findElement(By.id("stock-negative")).getAttribute("data-value"))
        .isEqualTo(api.at("/stockouts/negative_skus").asText());
    assertThat(driver.findElement(By.id("stock-shrink")).getAttribute("data-value"))
        .isEqualTo(api.at("/shrink/totals/value").asText());
    assertThat(driver.findElement(By.id("stock-low-cover")).getAttribute("data-value"))
        .isEqualTo(Integer.toString(api.at("/low_cover/rows").size()));
    assertThat(driver.findElement(By.id("stock-date")).getAttribute("value"))
        .isEqualTo(api.get("date").asText());
    assertThat(driver.findElements(By.cssSelector("#stock-stockouts tbody tr")))
        .hasSize(api.at("/stockouts/by_store").size());
    for (JsonNode s : api.at("/stockouts/by_store")) {
      WebElement tr =
          driver.findElement(
              By.cssSelector(
                  "#stock-stockouts tr[data-store='" + s.get("store_id").asText() + "']"));
      assertThat(tr.findElement(By.cssSelector(".skus-out")).getText())
          .isEqualTo(s.get("skus_out_of_stock").asText());
    }
    assertThat(driver.findElements(By.cssSelector("#stock-shrink-table tbody tr")))
        .hasSize(api.at("/shrink/by_store").size());
    screenshot("dashboard-stock");

    // another date and a store through the form: the tile follows and equals the API's
    LocalDate date = LocalDate.parse(api.get("date").asText()).minusDays(1);
    String store = api.get("stores").get(0).asText();
    setDate("stock-date", date);
    new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("stock-store")))
        .selectByValue(store);
    driver.findElement(By.id("stock-apply")).click();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(d -> d.getCurrentUrl().contains("date=" + date));
    JsonNode other =
        JSON.readTree(
            ConsoleTestSupport.get(
                    stock.url(),
                    "/api/dashboard/stock?date="
                        + date
                        + "&store="
                        + store
                        + "&from="
                        + api.at("/shrink/from").asText()
                        + "&to="
                        + api.at("/shrink/to").asText())
                .body());
    String shrink = other.at("/shrink/totals/value").asText();
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .withMessage(() -> "shrink tile = " + shrink)
        .until(
            d ->
                shrink.equals(d.findElement(By.id("stock-shrink")).getAttribute("data-value"))
                    && other
                        .at("/stockouts/skus_out_of_stock")
                        .asText()
                        .equals(d.findElement(By.id("stock-out")).getAttribute("data-value")));
    assertThat(driver.getCurrentUrl()).contains("store=" + store);

    long before = stockRequests();
    new WebDriverWait(driver, Duration.ofSeconds(25), Duration.ofMillis(500))
        .withMessage("the stock page asks again by itself")
        .until(d -> stockRequests() >= before + 1);

    driver.manage().window().setSize(new Dimension(390, 844));
    Thread.sleep(500);
    assertThat(
            (Boolean)
                js.executeScript(
                    "return document.documentElement.scrollWidth <= window.innerWidth + 1"))
        .as(
            "no horizontal scrolling at phone width; too wide: "
                + js.executeScript(
                    "return [...document.querySelectorAll('body *')]"
                        + ".filter(e => e.getBoundingClientRect().right > innerWidth + 1)"
                        + ".slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className)"))
        .isTrue();
    screenshot("dashboard-stock-phone");
    driver.manage().window().setSize(new Dimension(1280, 800));
    assertThat(scriptErrors()).as("JavaScript errors in the browser console").isEmpty();
  }

  private static long stockRequests() {
    return (Long)
        driver.executeScript(
            "return performance.getEntriesByType('resource')"
                + ".filter(e => e.name.includes('/api/dashboard/stock')).length");
  }

  private static long qualityRequests() {
    return (Long)
        driver.executeScript(
            "return performance.getEntriesByType('resource')"
                + ".filter(e => e.name.includes('/api/dashboard/quality')).length");
  }

  private static long liveRequests() {
    return (Long)
        driver.executeScript(
            "return performance.getEntriesByType('resource')"
                + ".filter(e => e.name.includes('/api/dashboard/live')).length");
  }

  /** Fetches a URL from the page (its origin and cookies): status, Content-Disposition, body. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> fetchInPage(String href) {
    return (Map<String, Object>)
        ((JavascriptExecutor) driver)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch(arguments[0]).then(async r => done({status: r.status,"
                    + " disposition: r.headers.get('Content-Disposition'), body: await r.text()}))"
                    + ".catch(e => done({error: String(e)}));",
                href);
  }

  private static JsonNode get(String path) throws Exception {
    var r = ConsoleTestSupport.get(server.url(), path);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Sets a date input's value and fires input and change (locale-free). */
  private static void setDate(String id, LocalDate date) {
    WebElement input = driver.findElement(By.id(id));
    driver.executeScript(
        "arguments[0].value = arguments[1];"
            + " arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            + " arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        input,
        date.toString());
  }

  /** A full-page screenshot at the window's width. */
  private static void screenshot(String name) throws IOException {
    Dimension before = driver.manage().window().getSize();
    for (int i = 0; i < 2; i++) {
      Number page = (Number) driver.executeScript("return document.documentElement.scrollHeight");
      Number frame =
          (Number) driver.executeScript("return window.outerHeight - window.innerHeight");
      int height = Math.max(before.getHeight(), page.intValue() + Math.max(0, frame.intValue()));
      driver.manage().window().setSize(new Dimension(before.getWidth(), height));
    }
    try {
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Files.copy(
          shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      driver.manage().window().setSize(before);
    }
  }

  private static List<String> scriptErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }
}
