package com.retail.lakehouse.pipelines.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The end-of-command summary: printed for people as aligned "key: value" lines and, with
 * --summary-json, written as JSON with the same stable keys for schedulers, tests and benchmarks.
 */
public final class RunSummary {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String title;
  private final Map<String, Object> values = new LinkedHashMap<>();

  public RunSummary(String title) {
    this.title = title;
  }

  /** Adds or replaces one value. */
  public RunSummary put(String key, Object value) {
    values.put(key, value);
    return this;
  }

  public Object get(String key) {
    return values.get(key);
  }

  public Map<String, Object> values() {
    return values;
  }

  /** Prints the human form: scalar values one per line; nested maps and lists as JSON. */
  public void print(PrintStream out) {
    out.println();
    out.println("== " + title + " ==");
    values.forEach(
        (k, v) -> {
          String shown =
              (v instanceof Map || v instanceof Iterable) ? toJson(v, false) : String.valueOf(v);
          out.printf("  %-28s %s%n", k, shown);
        });
  }

  /** Writes the JSON form, creating parent folders. */
  public void writeJson(String path) throws IOException {
    if (path == null || path.isBlank()) {
      return;
    }
    Path file = Path.of(path);
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, toJson(values, true) + "\n");
  }

  private static String toJson(Object value, boolean pretty) {
    try {
      return pretty ? JSON.writeValueAsString(value) : new ObjectMapper().writeValueAsString(value);
    } catch (IOException e) {
      return String.valueOf(value);
    }
  }
}
