package com.retail.lakehouse.sql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.retail.lakehouse.common.Failures;
import com.retail.lakehouse.common.ResultPrinter;
import com.retail.lakehouse.common.SqlScript;
import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./lakehouse sql}: ad hoc SQL over the lakehouse catalog from an embedded Spark SQL engine
 * (local mode). The catalog is registered as {@code lakehouse} and is the session's default, so
 * {@code raw.pos_transactions} and {@code marts.daily_sales_summary} resolve as written. Errors
 * print one line (the engine's message) and exit 1; usage errors exit 2.
 */
@Command(
    name = "lakehouse sql",
    mixinStandardHelpOptions = true,
    version = "lakehouse sql (Spark SQL 3.5 or Trino 476, Iceberg 1.6)",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Run SQL over the lakehouse tables with an embedded Spark SQL engine (local[2], UTC), or"
          + " with the data folder's local Trino (--engine trino)."
          + " Tables resolve as written (raw.pos_transactions, marts.daily_sales_summary):"
          + " the Iceberg catalog is registered as 'lakehouse' and is the default catalog.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./lakehouse sql \"SELECT count(*) FROM raw.pos_transactions\"",
      "  ./lakehouse sql -f sql/queries/daily_revenue_by_store.sql --format csv",
      "  ./lakehouse trino start && ./lakehouse sql --engine trino -f sql/queries/daily_revenue_by_store.sql",
      "Exit codes: 0 ok, 1 query failed, 2 usage error. LAKEHOUSE_DEBUG=1 shows stack traces."
    })
public final class SqlCommand implements Callable<Integer> {
  /** The engines of {@code --engine}. */
  enum Engine {
    spark,
    trino
  }

  /** One statement in, its result out. */
  private interface StatementRunner {
    ResultPrinter.Result run(String statement) throws Exception;
  }

  private static final Set<String> MISSING_TABLE =
      Set.of("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "NO_SUCH_TABLE");

  @Parameters(
      arity = "0..*",
      paramLabel = "SQL",
      description = "The SQL to run (several statements separated by ';'). Or use -f.")
  List<String> query = new ArrayList<>();

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Read the SQL from FILE ('-' for stdin); statements separated by ';'.")
  String file;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "table",
      description =
          "Output: table (aligned, with a row count), csv (with a header) or json (one object a line). Default: ${DEFAULT-VALUE}.")
  ResultPrinter.Format format;

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      defaultValue = "spark",
      description =
          "spark (embedded Spark SQL) or trino (the data folder's local Trino, Athena's engine:"
              + " start it with ./lakehouse trino start). Default: ${DEFAULT-VALUE}.")
  Engine engine;

  @Option(
      names = "--trino-url",
      paramLabel = "URL",
      description =
          "With --engine trino: Trino's JDBC URL. Default: the one ./lakehouse trino start recorded"
              + " for --data-dir.")
  String trinoUrl;

  @Option(
      names = "--trino-user",
      paramLabel = "NAME",
      defaultValue = "lakehouse",
      description = "With --engine trino: the user name Trino sees. Default: ${DEFAULT-VALUE}.")
  String trinoUser;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "./lakehouse-data",
      description = "Lakehouse data folder. Default: ${DEFAULT-VALUE}.")
  String dataDir;

  @Option(
      names = "--catalog",
      paramLabel = "KIND",
      defaultValue = "hadoop",
      description =
          "Iceberg catalog: hadoop (a folder; the local default), jdbc, rest or glue. Default: ${DEFAULT-VALUE}.")
  String catalog;

  @Option(
      names = "--warehouse",
      paramLabel = "LOCATION",
      description =
          "Warehouse location: a folder, or s3://bucket/prefix. Default: <data-dir>/warehouse.")
  String warehouse;

  @Option(
      names = "--catalog-uri",
      paramLabel = "URI",
      description =
          "Catalog URI: the JDBC URL (jdbc:sqlite:/path/catalog.db, jdbc:postgresql://...) or the REST endpoint.")
  String catalogUri;

  @Option(
      names = "--catalog-properties",
      paramLabel = "K=V",
      split = ",",
      description =
          "Extra catalog properties as key=value, comma separated (e.g. s3.endpoint=http://127.0.0.1:9000,s3.path-style-access=true).")
  List<String> catalogProperties = new ArrayList<>();

  @Option(
      names = "--summary-json",
      paramLabel = "FILE",
      description = "Write {statements, rows, columns, seconds} of the run to FILE.")
  Path summaryJson;

  private final PrintStream out;
  private final PrintStream err;

  SqlCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              s.stop();
              return null;
            });
    System.exit(code);
  }

  /**
   * Runs a command line and returns the exit code; the Spark session is left open (tests share it).
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    SqlCommand command = new SqlCommand(out, err);
    CommandLine cli = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("lakehouse sql: " + ex.getMessage() + " (see ./lakehouse sql --help)");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (ex, c, p) -> {
          throw ex;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    long start = System.nanoTime();
    String script;
    try {
      script = script();
    } catch (UsageException e) {
      return usage(e.getMessage());
    }
    List<String> statements = Statements.split(script);
    if (statements.isEmpty()) {
      return usage("no SQL statement given");
    }
    CatalogConfig catalogConfig = null;
    try {
      if (engine == Engine.trino) {
        requireNoCatalogFlags();
      } else {
        catalogConfig =
            CatalogConfig.of(catalog, dataDir, warehouse, catalogUri, catalogProperties);
      }
    } catch (UsageException e) {
      return usage(e.getMessage());
    }

    ResultPrinter printer = new ResultPrinter(format, out);
    long rows = 0;
    List<String> columns = List.of();
    int done = 0;
    String error = null;
    int code = 0;
    TrinoEngine trino = null;
    try {
      StatementRunner runner;
      if (engine == Engine.trino) {
        trino = TrinoEngine.connect(trinoUrl, trinoUser, Path.of(dataDir));
        runner = trino::run;
      } else {
        SparkSession spark = SqlSession.open(catalogConfig);
        runner =
            statement -> {
              Dataset<Row> result = spark.sql(statement);
              return SparkResults.of(result.schema(), result.collectAsList());
            };
      }
      for (String statement : statements) {
        ResultPrinter.Result result = runner.run(statement);
        printer.print(result, done == 0);
        if (!result.columns().isEmpty()) {
          rows += result.rows().size();
          columns = result.columns();
        }
        done++;
      }
    } catch (Exception e) {
      if (System.getenv("LAKEHOUSE_DEBUG") != null) {
        e.printStackTrace(err);
      }
      error = Errors.oneLine(e);
      err.println("lakehouse sql: " + error);
      if (missingTable(e)) {
        err.println(
            "lakehouse sql: hint: run ./lakehouse ingest / mart first (looked in the "
                + (catalogConfig == null
                    ? "catalog the data folder's Trino serves"
                    : catalogConfig.describe())
                + "; see --data-dir / --warehouse)");
      }
      code = 1;
    } finally {
      if (trino != null) {
        try {
          trino.close();
        } catch (SQLException e) {
          // the statements ran; a failed close loses nothing
        }
      }
    }
    out.flush();
    if (summaryJson != null) {
      writeSummary(
          statements.size(), done, rows, columns, (System.nanoTime() - start) / 1e9, error);
    }
    return code;
  }

  private static boolean missingTable(Exception e) {
    if (e instanceof SparkThrowable t) {
      return t.getErrorClass() != null && MISSING_TABLE.contains(t.getErrorClass());
    }
    // Trino: "Schema 'x' does not exist", "Table 'lakehouse.raw.x' does not exist"
    return e instanceof SQLException
        && String.valueOf(e.getMessage()).matches("(?s).*(Table|Schema) '[^']*' does not exist.*");
  }

  /** Trino reads the catalog it was started on: catalog flags here would be silently ignored. */
  private void requireNoCatalogFlags() {
    if (!catalog.equals("hadoop")
        || warehouse != null
        || catalogUri != null
        || !catalogProperties.isEmpty()) {
      throw new UsageException(
          "--catalog, --warehouse, --catalog-uri and --catalog-properties apply to --engine spark;"
              + " Trino reads the catalog it was started on (./lakehouse trino start --warehouse ...)");
    }
  }

  private String script() {
    return SqlScript.read(file, query);
  }

  private int usage(String message) {
    err.println("lakehouse sql: " + message + " (see ./lakehouse sql --help)");
    return 2;
  }

  private void writeSummary(
      int statements, int done, long rows, List<String> columns, double seconds, String error) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode s = json.createObjectNode();
    s.put("statements", statements);
    s.put("statements_run", done);
    s.put("rows", rows);
    ArrayNode cols = s.putArray("columns");
    columns.forEach(cols::add);
    s.put("seconds", Math.round(seconds * 1000) / 1000.0);
    s.put("ok", error == null);
    if (error != null) {
      s.put("error", error);
    }
    try {
      Path parent = summaryJson.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      json.writerWithDefaultPrettyPrinter().writeValue(summaryJson.toFile(), s);
    } catch (IOException e) {
      err.println("lakehouse sql: cannot write " + summaryJson + ": " + e.getMessage());
    }
  }

  /** Turns engine errors into one line. */
  static final class Errors {
    private Errors() {}

    static String oneLine(Throwable e) {
      String message;
      if (e instanceof SQLException) {
        // Trino: "Query failed (#20261203_...): line 1:15: Table '...' does not exist"
        message = firstLine(e.getMessage()).replaceFirst("^Query failed \\(#[^)]*\\): ", "");
        // Trino's own cause says why (e.g. the REST catalog's "read-only catalog: ...").
        String cause = firstLine(Failures.rootCause(e).getMessage());
        if (Failures.rootCause(e) != e && !cause.isEmpty() && !message.contains(cause)) {
          message = message + ": " + cause.replaceFirst("^Unable to process: ", "");
        }
      } else if (e instanceof AnalysisException a) {
        // "...; line 1 pos 0" (parse errors) reads as "... (line 1, pos 0)" like the others.
        message =
            firstLine(a.getSimpleMessage())
                .replaceAll("\\.?;? line (\\d+) pos (\\d+)$", ". (line $1, pos $2)");
        String at = position(a);
        if (!at.isEmpty() && !message.contains("line ")) {
          message = message + " (" + at + ")";
        }
      } else if (e instanceof SparkThrowable) {
        message = firstLine(e.getMessage());
      } else {
        Throwable root = Failures.rootCause(e);
        String m = firstLine(e.getMessage());
        message =
            root == e || m.isEmpty()
                ? m
                : m
                    + " ("
                    + root.getClass().getSimpleName()
                    + ": "
                    + firstLine(root.getMessage())
                    + ")";
        if (message.isEmpty()) {
          message = e.getClass().getName();
        }
      }
      return message;
    }

    private static String position(AnalysisException a) {
      if (a.line().isEmpty()) {
        return "";
      }
      String at = "line " + a.line().get();
      if (a.startPosition().isDefined()) {
        at += ", pos " + a.startPosition().get();
      }
      return at;
    }

    private static String firstLine(String s) {
      if (s == null) {
        return "";
      }
      for (String line : s.split("\\R")) {
        String t = line.strip();
        if (!t.isEmpty()) {
          return t.endsWith(";") ? t.substring(0, t.length() - 1) : t;
        }
      }
      return "";
    }
  }
}
