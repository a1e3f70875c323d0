package truc.jdbc;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Drives the ClickHouse JDBC driver against the analysts' endpoint the way a tool does and prints
 * one JSON object of what it saw: metadata, every column of a table read with the getter its JDBC
 * type calls for, prepared statements with parameters, refused writes.
 *
 * Arguments: url user password table [property=value ...] (extra driver properties).
 */
public final class Probe {
  private Probe() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String table = args[3];
    Properties properties = new Properties();
    properties.setProperty("user", args[1]);
    properties.setProperty("password", args[2]);
    for (String extra : Arrays.copyOfRange(args, 4, args.length)) {
      int eq = extra.indexOf('=');
      properties.setProperty(extra.substring(0, eq), extra.substring(eq + 1));
    }
    Json out = new Json();
    try (Connection connection = DriverManager.getConnection(url, properties)) {
      out.field("driver", connection.getMetaData().getDriverName() + " " + connection.getMetaData().getDriverVersion());
      metadata(connection, table, out);
      typedReads(connection, table, out);
      largeRead(connection, out);
      prepared(connection, table, out);
      refusedWrites(connection, table, out);
    }
    // UTF-8 whatever the locale: without LANG (as under CI) Java would print non-ASCII text as '?'.
    PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    stdout.println(out.close());
  }

  private static void metadata(Connection connection, String table, Json out) throws SQLException {
    DatabaseMetaData meta = connection.getMetaData();
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = meta.getTables(null, connection.getSchema(), "%", null)) {
      while (rs.next()) tables.add(rs.getString("TABLE_NAME"));
    }
    out.stringList("tables", tables);
    List<String> columns = new ArrayList<>();
    try (ResultSet rs = meta.getColumns(null, connection.getSchema(), table, "%")) {
      while (rs.next()) columns.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
    }
    out.stringList("columns", columns);
  }

  /** Each column through the getter its JDBC type calls for; values as text, NULL as null. */
  private static void typedReads(Connection connection, String table, Json out) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Json row = new Json();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.value(meta.getColumnName(i), read(rs, i, meta.getColumnType(i)));
        }
        rows.add(row.close());
      }
    }
    out.raw("rows", "[" + String.join(",", rows) + "]");
  }

  /** A result of several compressed blocks (they hold at most 1 MiB each). */
  private static void largeRead(Connection connection, Json out) throws SQLException {
    long rows = 0;
    long sum = 0;
    long characters = 0;
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT number, repeat('x', 64) FROM numbers(100000)")) {
      while (rs.next()) {
        rows++;
        sum += rs.getLong(1);
        characters += rs.getString(2).length();
      }
    }
    out.field("largeRead", rows + " rows, sum " + sum + ", " + characters + " characters");
  }

  private static String read(ResultSet rs, int column, int type) throws SQLException {
    String value;
    switch (type) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> value = String.valueOf(rs.getInt(column));
      case Types.BIGINT -> value = String.valueOf(rs.getLong(column));
      case Types.NUMERIC, Types.DECIMAL -> value = String.valueOf(rs.getBigDecimal(column));
      case Types.FLOAT, Types.DOUBLE, Types.REAL -> value = String.valueOf(rs.getDouble(column));
      case Types.BOOLEAN, Types.BIT -> value = String.valueOf(rs.getBoolean(column));
      case Types.DATE -> value = String.valueOf(rs.getDate(column));
      case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> {
        java.sql.Timestamp timestamp = rs.getTimestamp(column);
        value = timestamp == null ? null : timestamp.toInstant().toString();
      }
      case Types.ARRAY -> {
        Array array = rs.getArray(column);
        value = array == null ? null : Arrays.toString((Object[]) array.getArray());
      }
      default -> value = rs.getString(column);
    }
    return rs.wasNull() ? null : value;
  }

  private static void prepared(Connection connection, String table, Json out) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT id, label FROM " + table + " WHERE id >= ? AND label <> ? ORDER BY id")) {
      statement.setLong(1, 1);
      statement.setString(2, "it's not \\ this");
      List<String> found = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) found.add(rs.getLong(1) + ":" + rs.getString(2));
      }
      out.stringList("prepared", found);
    }
    try (PreparedStatement statement = connection.prepareStatement("SELECT ? AS text, ? AS n")) {
      statement.setString(1, "O'Brien \\ tab\there\nnew line");
      statement.setInt(2, 42);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        out.field("echo", rs.getString(1));
        out.field("echoNumber", String.valueOf(rs.getInt(2)));
      }
    }
  }

  private static void refusedWrites(Connection connection, String table, Json out) {
    List<String> refusals = new ArrayList<>();
    for (String sql : List.of(
        "INSERT INTO " + table + " (id) VALUES (99)",
        "DROP TABLE " + table,
        "ALTER TABLE " + table + " DELETE WHERE 1")) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(sql);
        refusals.add("ACCEPTED: " + sql);
      } catch (SQLException refused) {
        refusals.add(refused.getMessage());
      }
    }
    try (PreparedStatement statement = connection.prepareStatement("INSERT INTO " + table + " (id) VALUES (?)")) {
      statement.setLong(1, 100);
      statement.executeUpdate();
      refusals.add("ACCEPTED: prepared INSERT");
    } catch (SQLException refused) {
      refusals.add(refused.getMessage());
    }
    out.stringList("refusals", refusals);
  }

  /** Just enough JSON writing for the probe's report. */
  private static final class Json {
    private final StringBuilder text = new StringBuilder("{");

    void field(String name, String value) {
      value(name, value);
    }

    void value(String name, String value) {
      raw(name, value == null ? "null" : quote(value));
    }

    void stringList(String name, List<String> values) {
      List<String> quoted = new ArrayList<>();
      for (String value : values) quoted.add(quote(value));
      raw(name, "[" + String.join(",", quoted) + "]");
    }

    void raw(String name, String json) {
      if (text.length() > 1) text.append(',');
      text.append(quote(name)).append(':').append(json);
    }

    String close() {
      return text.append('}').toString();
    }

    private static String quote(String value) {
      StringBuilder quoted = new StringBuilder("\"");
      for (char c : value.toCharArray()) {
        switch (c) {
          case '"' -> quoted.append("\\\"");
          case '\\' -> quoted.append("\\\\");
          case '\n' -> quoted.append("\\n");
          case '\t' -> quoted.append("\\t");
          case '\r' -> quoted.append("\\r");
          default -> {
            if (c < 0x20) quoted.append(String.format("\\u%04x", (int) c));
            else quoted.append(c);
          }
        }
      }
      return quoted.append('"').toString();
    }
  }
}
