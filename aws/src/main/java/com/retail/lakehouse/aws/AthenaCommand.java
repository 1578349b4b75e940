package com.retail.lakehouse.aws;

import com.retail.lakehouse.common.ResultPrinter;
import com.retail.lakehouse.common.SqlScript;
import com.retail.lakehouse.common.UsageException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.ColumnInfo;
import software.amazon.awssdk.services.athena.model.Datum;
import software.amazon.awssdk.services.athena.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.athena.model.QueryExecutionStatistics;
import software.amazon.awssdk.services.athena.model.Row;
import software.amazon.awssdk.services.athena.model.StartQueryExecutionRequest;
import software.amazon.awssdk.services.athena.model.StatementType;

/**
 * {@code ./lakehouse athena}: one SQL statement on Amazon Athena (StartQueryExecution), progress on
 * stderr while it runs (GetQueryExecution), then the result paged from GetQueryResults and printed
 * in the same table/CSV/JSON formats as {@code ./lakehouse sql}.
 */
@Command(
    name = "athena",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Run one SQL statement on Amazon Athena and print its result like ./lakehouse sql does."
          + " Progress (state, elapsed time, data scanned) goes to stderr.",
      "Credentials and region come from the AWS SDK's default chain (AWS_PROFILE, AWS_REGION,"
          + " ~/.aws/config, environment, SSO, instance and container roles).",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./lakehouse athena \"SELECT count(*) FROM raw.pos_transactions\" --database lakehouse",
      "  ./lakehouse athena -f sql/queries/daily_revenue_by_store.sql --workgroup analysts"
          + " --output s3://my-bucket/athena-results/ --format csv",
      "Exit codes: 0 ok, 1 query FAILED or CANCELLED (Athena's reason on one line) or an AWS error,"
          + " 2 usage error. LAKEHOUSE_DEBUG=1 shows stack traces."
    })
final class AthenaCommand implements Callable<Integer> {
  private static final Set<String> NUMERIC =
      Set.of(
          "tinyint", "smallint", "integer", "int", "bigint", "real", "float", "double", "decimal");

  @Parameters(
      arity = "0..*",
      paramLabel = "SQL",
      description = "The SQL statement to run (one statement). Or use -f.")
  List<String> query = new ArrayList<>();

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Read the SQL from FILE ('-' for stdin).")
  String file;

  @Option(
      names = "--workgroup",
      paramLabel = "NAME",
      description = "Athena workgroup. Default: the account's default (primary).")
  String workgroup;

  @Option(
      names = "--output",
      paramLabel = "S3_URI",
      description =
          "Where Athena writes the result (s3://bucket/prefix/). Default: the workgroup's result"
              + " location.")
  String output;

  @Option(
      names = "--database",
      paramLabel = "NAME",
      description = "Database (Glue) that unqualified table names resolve in.")
  String database;

  @Option(
      names = "--data-catalog",
      paramLabel = "NAME",
      description = "Athena data catalog (not an Iceberg catalog kind). Default: AwsDataCatalog.")
  String dataCatalog;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "table",
      description =
          "Output: table (aligned, with a row count), csv (with a header) or json (one object a"
              + " line). Default: ${DEFAULT-VALUE}.")
  ResultPrinter.Format format;

  @Option(
      names = "--endpoint-url",
      paramLabel = "URL",
      hidden = true,
      description = "Advanced: send Athena's requests to URL (a stand-in in tests).")
  URI endpointUrl;

  @Option(
      names = "--poll-millis",
      paramLabel = "MS",
      hidden = true,
      defaultValue = "1000",
      description = "Advanced: how often to ask for the query's state.")
  long pollMillis;

  private final PrintStream out;
  private final PrintStream err;

  AthenaCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws Exception {
    String sql = script().strip();
    if (sql.endsWith(";")) {
      sql = sql.substring(0, sql.length() - 1).strip();
    }
    if (sql.isEmpty()) {
      throw new UsageException("no SQL statement given");
    }
    if (output != null && !output.startsWith("s3://")) {
      throw new UsageException("--output must be an s3:// location, not " + output);
    }
    if (pollMillis < 1) {
      throw new UsageException("--poll-millis must be positive");
    }
    AwsClients aws = AwsClients.resolve(endpointUrl);
    try (AthenaClient athena = aws.build(AthenaClient.builder())) {
      StartQueryExecutionRequest.Builder start =
          StartQueryExecutionRequest.builder().queryString(sql);
      if (workgroup != null) {
        start.workGroup(workgroup);
      }
      if (output != null) {
        start.resultConfiguration(r -> r.outputLocation(output));
      }
      if (database != null || dataCatalog != null) {
        start.queryExecutionContext(c -> c.database(database).catalog(dataCatalog));
      }
      String id = athena.startQueryExecution(start.build()).queryExecutionId();
      err.println("lakehouse athena: query " + id + " started" + where(aws));
      Thread stopOnInterrupt = new Thread(() -> stopQuietly(athena, id));
      Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
      QueryExecution execution;
      try {
        execution = await(athena, id);
      } finally {
        removeHook(stopOnInterrupt);
      }
      QueryExecutionState state = execution.status().state();
      if (state != QueryExecutionState.SUCCEEDED) {
        String reason = execution.status().stateChangeReason();
        err.println(
            "lakehouse athena: query "
                + id
                + " "
                + state
                + ": "
                + (reason == null || reason.isBlank()
                    ? "(Athena gave no reason)"
                    : oneLine(reason)));
        return 1;
      }
      ResultPrinter.Result result = results(athena, id, execution.statementType());
      new ResultPrinter(format, out).print(result, true);
      out.flush();
      return 0;
    }
  }

  private static String where(AwsClients aws) {
    return " in " + aws.region().id() + (aws.endpoint() != null ? " (" + aws.endpoint() + ")" : "");
  }

  /** Polls GetQueryExecution until the query is SUCCEEDED, FAILED or CANCELLED. */
  private QueryExecution await(AthenaClient athena, String id) throws InterruptedException {
    Progress progress = new Progress(err, "lakehouse athena");
    while (true) {
      QueryExecution execution =
          athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution();
      QueryExecutionState state = execution.status().state();
      QueryExecutionStatistics stats = execution.statistics();
      Long scanned = stats == null ? null : stats.dataScannedInBytes();
      progress.update(state + (scanned == null ? "" : ", " + Progress.bytes(scanned) + " scanned"));
      if (state == QueryExecutionState.SUCCEEDED
          || state == QueryExecutionState.FAILED
          || state == QueryExecutionState.CANCELLED) {
        return execution;
      }
      if (state == null || state == QueryExecutionState.UNKNOWN_TO_SDK_VERSION) {
        throw new IllegalStateException(
            "Athena answered an unknown query state: " + execution.status().stateAsString());
      }
      Thread.sleep(pollMillis);
    }
  }

  /** Pages GetQueryResults into one result; values typed from Athena's column types. */
  private static ResultPrinter.Result results(
      AthenaClient athena, String id, StatementType statementType) {
    List<String> columns = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<Boolean> numeric = new ArrayList<>();
    List<Object[]> rows = new ArrayList<>();
    boolean firstPage = true;
    for (GetQueryResultsResponse page :
        athena.getQueryResultsPaginator(r -> r.queryExecutionId(id))) {
      List<Row> pageRows = page.resultSet().rows();
      int from = 0;
      if (firstPage) {
        for (ColumnInfo c : page.resultSet().resultSetMetadata().columnInfo()) {
          columns.add(c.name());
          String type = c.type() == null ? "varchar" : c.type().toLowerCase(Locale.ROOT);
          types.add(type);
          numeric.add(NUMERIC.contains(baseType(type)));
        }
        // A SELECT's first row holds the column names (Athena's documented result layout).
        if (statementType == StatementType.DML
            && !pageRows.isEmpty()
            && isHeader(pageRows.get(0), columns)) {
          from = 1;
        }
        firstPage = false;
      }
      for (Row row : pageRows.subList(from, pageRows.size())) {
        Object[] line = new Object[columns.size()];
        List<Datum> data = row.data();
        for (int c = 0; c < line.length && c < data.size(); c++) {
          line[c] = value(data.get(c).varCharValue(), types.get(c));
        }
        rows.add(line);
      }
    }
    return new ResultPrinter.Result(columns, numeric, rows);
  }

  private static boolean isHeader(Row row, List<String> columns) {
    List<Datum> data = row.data();
    if (data.size() != columns.size()) {
      return false;
    }
    for (int c = 0; c < data.size(); c++) {
      if (!columns.get(c).equals(data.get(c).varCharValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Athena's text value as the Java value the Trino JDBC driver would give {@code ./lakehouse sql
   * --engine trino}, so that both print the same; the text itself when it does not parse.
   */
  static Object value(String text, String type) {
    if (text == null) {
      return null;
    }
    try {
      return switch (baseType(type)) {
        case "tinyint", "smallint", "integer", "int" -> Integer.valueOf(text);
        case "bigint" -> Long.valueOf(text);
        case "real", "float" -> Float.valueOf(text);
        case "double" -> Double.valueOf(text);
        case "decimal" -> new BigDecimal(text);
        case "boolean" -> Boolean.valueOf(text);
        case "date" -> LocalDate.parse(text);
        case "timestamp" -> timestamp(text);
        case "timestamp with time zone" -> zoned(text);
        default -> text;
      };
    } catch (NumberFormatException | DateTimeException e) {
      return text;
    }
  }

  /**
   * {@code decimal(12,2)} -> {@code decimal}, {@code timestamp(3) with time zone} -> {@code
   * timestamp with time zone}.
   */
  static String baseType(String type) {
    return type.replaceAll("\\(.*?\\)", "").replaceAll("\\s+", " ").strip();
  }

  private static LocalDateTime timestamp(String text) {
    return LocalDateTime.parse(text, ResultPrinter.TIMESTAMP);
  }

  private static Object zoned(String text) {
    int space = text.lastIndexOf(' ');
    if (space < 0) {
      return text;
    }
    return timestamp(text.substring(0, space)).atZone(ZoneId.of(text.substring(space + 1)));
  }

  private static String oneLine(String s) {
    return String.join(" ", s.strip().lines().map(String::strip).toList());
  }

  private static void stopQuietly(AthenaClient athena, String id) {
    try {
      athena.stopQueryExecution(r -> r.queryExecutionId(id));
    } catch (RuntimeException e) {
      // the JVM is going down: nothing more to do
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down already: the hook stops the query
    }
  }

  private String script() {
    return SqlScript.read(file, query);
  }
}
