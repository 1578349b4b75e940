package com.retail.lakehouse.sql;

import com.retail.lakehouse.common.ResultPrinter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * A Spark result as a {@link ResultPrinter.Result}: nested Spark values (rows, Scala maps and
 * sequences) become Java maps and lists, which the JDK-only printer knows.
 */
final class SparkResults {
  private SparkResults() {}

  static ResultPrinter.Result of(StructType schema, List<Row> rows) {
    List<String> columns = new ArrayList<>();
    List<Boolean> numeric = new ArrayList<>();
    for (StructField f : schema.fields()) {
      columns.add(f.name());
      numeric.add(f.dataType() instanceof NumericType);
    }
    List<Object[]> values = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Object[] line = new Object[columns.size()];
      for (int c = 0; c < line.length; c++) {
        line[c] = javaValue(row.get(c));
      }
      values.add(line);
    }
    return new ResultPrinter.Result(columns, numeric, values);
  }

  /** Spark's nested values as Java ones; everything else as it is. */
  static Object javaValue(Object v) {
    if (v instanceof Row r) {
      Map<String, Object> m = new LinkedHashMap<>();
      String[] names = r.schema() != null ? r.schema().fieldNames() : null;
      for (int i = 0; i < r.length(); i++) {
        m.put(names != null ? names[i] : "_" + (i + 1), javaValue(r.get(i)));
      }
      return m;
    }
    if (v instanceof scala.collection.Map<?, ?> sm) {
      Map<Object, Object> m = new LinkedHashMap<>();
      JavaConverters.mapAsJavaMap(sm).forEach((k, x) -> m.put(javaValue(k), javaValue(x)));
      return m;
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      List<Object> l = new ArrayList<>();
      JavaConverters.seqAsJavaList(seq).forEach(x -> l.add(javaValue(x)));
      return l;
    }
    return v;
  }
}
