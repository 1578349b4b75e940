package com.retail.lakehouse.trino;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.RESTUtil;

/**
 * A read-only Iceberg REST catalog (the Iceberg REST OpenAPI spec's {@code /v1/config}, namespace
 * and table reads) over the catalog the pipelines write, so that Trino, whose Iceberg connector
 * cannot read a Hadoop (file-system) catalog, sees exactly the tables and the newest commit the
 * pipelines made: every load reads the catalog afresh, nothing is cached here. Writes answer 405:
 * the lakehouse's tables are written by its pipelines only (their exactly-once accounting counts on
 * it).
 *
 * <p>Hand-written because Iceberg 1.6 ships the REST model and client but no server (its servlet
 * lives in test fixtures), and a read-only server is five GET routes on the web library the console
 * already uses. Binds to 127.0.0.1 only.
 */
final class RestCatalog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Catalog catalog;
  private final Javalin web;

  private RestCatalog(Catalog catalog, Javalin web) {
    this.catalog = catalog;
    this.web = web;
  }

  /** Serves {@code catalog} on 127.0.0.1 at {@code port} (0: a free port). */
  static RestCatalog start(Catalog catalog, int port) {
    Objects.requireNonNull(catalog, "catalog must not be null");
    if (!(catalog instanceof SupportsNamespaces)) {
      throw new IllegalArgumentException(
          "the catalog " + catalog.name() + " does not list namespaces; it cannot be served");
    }
    RestCatalog[] self = new RestCatalog[1];
    Javalin web =
        Javalin.create(
            config -> {
              config.jetty.host = "127.0.0.1";
              config.jetty.port = port;
              config.startup.showJavalinBanner = false;
              var r = config.routes;
              r.exception(
                  NoSuchNamespaceException.class,
                  (e, ctx) -> error(ctx, 404, "NoSuchNamespaceException", e.getMessage()));
              r.exception(
                  NoSuchTableException.class,
                  (e, ctx) -> error(ctx, 404, "NoSuchTableException", e.getMessage()));
              r.exception(
                  Exception.class,
                  (e, ctx) ->
                      error(
                          ctx, 500, e.getClass().getSimpleName(), String.valueOf(e.getMessage())));
              r.get("/v1/config", ctx -> self[0].config(ctx));
              r.get("/v1/namespaces", ctx -> self[0].namespaces(ctx));
              r.get("/v1/namespaces/{ns}", ctx -> self[0].namespace(ctx));
              r.head("/v1/namespaces/{ns}", ctx -> self[0].namespace(ctx));
              r.get("/v1/namespaces/{ns}/tables", ctx -> self[0].tables(ctx));
              r.get("/v1/namespaces/{ns}/tables/{table}", ctx -> self[0].table(ctx));
              r.head("/v1/namespaces/{ns}/tables/{table}", ctx -> self[0].tableExists(ctx));
              // No views here: an empty list, and a missing view for every name.
              r.get("/v1/namespaces/{ns}/views", ctx -> ctx.json(identifiers()));
              r.get(
                  "/v1/namespaces/{ns}/views/{view}",
                  ctx -> error(ctx, 404, "NoSuchViewException", "no views in this catalog"));
              // Scan metrics a client reports after reading: accepted and dropped.
              r.post("/v1/namespaces/{ns}/tables/{table}/metrics", ctx -> ctx.status(204));
              for (String path : new String[] {"/v1/*", "/v1/*/*", "/v1/*/*/*", "/v1/*/*/*/*"}) {
                r.post(path, RestCatalog::readOnly);
                r.put(path, RestCatalog::readOnly);
                r.delete(path, RestCatalog::readOnly);
              }
            });
    self[0] = new RestCatalog(catalog, web);
    web.start();
    return self[0];
  }

  /** The base URI, e.g. {@code http://127.0.0.1:41234}. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + web.port());
  }

  @Override
  public void close() {
    web.stop();
  }

  private void config(Context ctx) {
    ObjectNode out = JSON.createObjectNode();
    out.putObject("defaults");
    out.putObject("overrides");
    json(ctx, out);
  }

  private void namespaces(Context ctx) {
    String parent = ctx.queryParam("parent");
    Namespace of = parent == null ? Namespace.empty() : RESTUtil.decodeNamespace(parent);
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("namespaces");
    for (Namespace ns : ((SupportsNamespaces) catalog).listNamespaces(of)) {
      list.add(levels(ns));
    }
    json(ctx, out);
  }

  private void namespace(Context ctx) {
    Namespace ns = RESTUtil.decodeNamespace(ctx.pathParam("ns"));
    Map<String, String> properties = ((SupportsNamespaces) catalog).loadNamespaceMetadata(ns);
    ObjectNode out = JSON.createObjectNode();
    out.set("namespace", levels(ns));
    ObjectNode props = out.putObject("properties");
    properties.forEach(props::put);
    json(ctx, out);
  }

  private void tables(Context ctx) {
    Namespace ns = RESTUtil.decodeNamespace(ctx.pathParam("ns"));
    ObjectNode out = identifiers();
    ArrayNode list = (ArrayNode) out.get("identifiers");
    for (TableIdentifier id : catalog.listTables(ns)) {
      ObjectNode entry = list.addObject();
      entry.set("namespace", levels(id.namespace()));
      entry.put("name", id.name());
    }
    json(ctx, out);
  }

  private void table(Context ctx) {
    Table table = catalog.loadTable(identifier(ctx));
    if (!(table instanceof BaseTable base)) {
      throw new IllegalStateException("not a base table: " + table.name());
    }
    TableMetadata metadata = base.operations().current();
    ObjectNode out = JSON.createObjectNode();
    out.put("metadata-location", metadata.metadataFileLocation());
    out.putRawValue(
        "metadata",
        new com.fasterxml.jackson.databind.util.RawValue(TableMetadataParser.toJson(metadata)));
    out.putObject("config");
    json(ctx, out);
  }

  private void tableExists(Context ctx) {
    ctx.status(catalog.tableExists(identifier(ctx)) ? 204 : 404);
  }

  private static TableIdentifier identifier(Context ctx) {
    return TableIdentifier.of(
        RESTUtil.decodeNamespace(ctx.pathParam("ns")),
        RESTUtil.decodeString(ctx.pathParam("table")));
  }

  private static ObjectNode identifiers() {
    ObjectNode out = JSON.createObjectNode();
    out.putArray("identifiers");
    return out;
  }

  private static ArrayNode levels(Namespace ns) {
    ArrayNode levels = JSON.createArrayNode();
    for (String level : ns.levels()) {
      levels.add(level);
    }
    return levels;
  }

  private static void readOnly(Context ctx) {
    error(
        ctx,
        405,
        "BadRequestException",
        "read-only catalog: the lakehouse tables are written by its pipelines"
            + " (./lakehouse ingest, mart, maintain)");
  }

  private static void error(Context ctx, int code, String type, String message) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode error = out.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("code", code);
    ctx.status(HttpStatus.forStatus(code));
    json(ctx, out);
  }

  private static void json(Context ctx, ObjectNode body) {
    ctx.contentType("application/json").result(body.toString());
  }
}
