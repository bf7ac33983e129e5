package io.paretopipe.reports.render;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML page builder: inline CSS, no network; images and scripts are relative file
 * paths next to the page (only {@link #chart}, {@link #jsonData} and {@link #scripts} add scripts).
 * Escapes every text it is given. Not thread-safe.
 */
public final class HtmlPage {
  private static final String CSS =
      String.join(
          "\n",
          "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222;background:#fff}",
          "h1{font-size:24px;margin:0 0 8px}h2{font-size:20px;margin:28px 0 8px;border-bottom:1px solid #ccc}",
          "h3{font-size:16px;margin:16px 0 6px}p,li{font-size:14px;line-height:1.4}",
          "table{border-collapse:collapse;font-size:13px;margin:8px 0}",
          "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f0f0f0}",
          "td.t{text-align:left}tr.on td{background:#e8f4e8;font-weight:bold}tr.bad td{background:#fbe3e3}",
          "tr.good td{background:#e3eefb}",
          ".panels{display:flex;flex-wrap:wrap;gap:12px}",
          "figure{margin:0;border:1px solid #ddd;padding:4px}figcaption{font-size:12px;color:#555}",
          "img{display:block;max-width:100%}code{background:#f4f4f4;padding:1px 3px}",
          ".howto{background:#f6f8fb;border-left:4px solid #1f5fbf;padding:8px 12px;max-width:1100px}",
          ".chart{width:100%;max-width:1200px;height:560px;border:1px solid #ddd;margin:8px 0}",
          ".pp-tooltip{font-size:12px;line-height:1.45}.pp-tip-title{color:#555;margin-bottom:2px}");

  private final StringBuilder body = new StringBuilder();
  private final StringBuilder tail = new StringBuilder();
  private final String title;

  /**
   * @param title the page title and top heading
   */
  public HtmlPage(String title) {
    this.title = title;
    body.append("<h1>").append(escape(title)).append("</h1>\n");
  }

  /** Adds a heading of level 2 or 3. */
  public HtmlPage heading(int level, String text) {
    body.append("<h")
        .append(level)
        .append('>')
        .append(escape(text))
        .append("</h")
        .append(level)
        .append(">\n");
    return this;
  }

  /** Adds a paragraph of plain text. */
  public HtmlPage paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  /** Adds a paragraph of plain text in a highlighted box, e.g. how to read the page. */
  public HtmlPage note(String text) {
    body.append("<p class=\"howto\">").append(escape(text)).append("</p>\n");
    return this;
  }

  /** Adds an empty element that a script draws a chart into. */
  public HtmlPage chart(String id, String label) {
    body.append("<div class=\"chart\" id=\"")
        .append(escape(id))
        .append("\" role=\"img\" aria-label=\"")
        .append(escape(label))
        .append("\"></div>\n");
    return this;
  }

  /**
   * Adds a JSON data block at the end of the body ({@code <script type="application/json">}, not
   * run); {@code </} in the JSON is written as {@code <\/}, so no text can close the block.
   */
  public HtmlPage jsonData(String id, String json) {
    tail.append("<script type=\"application/json\" id=\"")
        .append(escape(id))
        .append("\">")
        .append(json.replace("</", "<\\/"))
        .append("</script>\n");
    return this;
  }

  /**
   * Adds scripts at the end of the body: library files next to the page, then inline code.
   *
   * @param files relative paths, e.g. {@code echarts.min.js}
   * @param inline code run after them; must not contain {@code </script}
   */
  public HtmlPage scripts(List<String> files, String inline) {
    if (inline.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
      throw new IllegalArgumentException("inline script contains </script");
    }
    for (String f : files) {
      tail.append("<script src=\"").append(escape(f)).append("\"></script>\n");
    }
    tail.append("<script>\n").append(inline).append("</script>\n");
    return this;
  }

  /** Adds a list of links: link text to relative href. */
  public HtmlPage links(Map<String, String> textToHref) {
    body.append("<p>");
    boolean first = true;
    for (Map.Entry<String, String> e : textToHref.entrySet()) {
      body.append(first ? "" : " · ")
          .append("<a href=\"")
          .append(escape(e.getValue()))
          .append("\">")
          .append(escape(e.getKey()))
          .append("</a>");
      first = false;
    }
    body.append("</p>\n");
    return this;
  }

  /** Adds a row of image panels: relative image path to caption. */
  public HtmlPage panels(List<ChartSpec> charts) {
    body.append("<div class=\"panels\">\n");
    for (ChartSpec c : charts) {
      body.append("<figure><img src=\"")
          .append(escape(c.relativePath()))
          .append("\" alt=\"")
          .append(escape(c.alt()))
          .append("\" width=\"")
          .append(ChartStyle.WIDTH)
          .append("\" height=\"")
          .append(ChartStyle.HEIGHT)
          .append("\"><figcaption>")
          .append(escape(c.panel()))
          .append("</figcaption></figure>\n");
    }
    body.append("</div>\n");
    return this;
  }

  /**
   * Adds a table.
   *
   * @param header column names
   * @param rows cell texts, one list per row, the same length as the header
   * @param rowClasses CSS class per row ({@code on}, {@code bad}, {@code good} or {@code ""}); same
   *     length as rows
   * @param textColumns how many leading columns are text (left-aligned)
   */
  public HtmlPage table(
      List<String> header, List<List<String>> rows, List<String> rowClasses, int textColumns) {
    body.append("<table>\n<tr>");
    header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
    body.append("</tr>\n");
    for (int r = 0; r < rows.size(); r++) {
      String cls = rowClasses.get(r);
      body.append(cls.isEmpty() ? "<tr>" : "<tr class=\"" + escape(cls) + "\">");
      List<String> row = rows.get(r);
      for (int c = 0; c < row.size(); c++) {
        body.append(c < textColumns ? "<td class=\"t\">" : "<td>")
            .append(escape(row.get(c)))
            .append("</td>");
      }
      body.append("</tr>\n");
    }
    body.append("</table>\n");
    return this;
  }

  /**
   * @return the complete document
   */
  public String toHtml() {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        + escape(title)
        + "</title>\n<style>\n"
        + CSS
        + "\n</style>\n</head>\n<body>\n"
        + body
        + tail
        + "</body>\n</html>\n";
  }

  /**
   * @return {@code text} with {@code & < > " '} escaped
   */
  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }

  /**
   * @return an insertion-ordered map, for {@link #links}
   */
  public static Map<String, String> orderedLinks(String... textHrefPairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < textHrefPairs.length; i += 2) {
      map.put(textHrefPairs[i], textHrefPairs[i + 1]);
    }
    return map;
  }
}
