package dev.invariance.report;

/**
 * The page around the report: the head with its Content-Security-Policy (nothing may load but the inline style and
 * data-URI images, so the file opens offline and a browser would refuse anything else) and the inline style sheet.
 */
final class Page {
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:72em;\
            padding:0 1em;color:#222;line-height:1.45}
            h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}
            nav{margin-bottom:1em}figure{display:inline-block;margin:0.5em 1.5% 1.5em 0;width:48%;min-width:380px;\
            vertical-align:top}
            img.plot{border:1px solid #ddd;width:100%;height:auto}figcaption{font-size:0.9em;color:#444}
            table{border-collapse:collapse;margin:1em 0;font-size:0.85em}caption{text-align:left;font-weight:bold;\
            padding:0.3em 0}
            th,td{border:1px solid #ddd;padding:0.2em 0.5em;text-align:left;vertical-align:top}\
            th{background:#f3f3f3;position:sticky;top:0}
            td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tbody tr:nth-child(even){background:#fafafa}.legend{font-size:0.85em;color:#555}
            pre{background:#f6f6f6;padding:0.5em;overflow:auto;max-height:30em;font-size:0.8em}
            code{background:#f3f3f3;padding:0 0.2em}
            """;

    private Page() {
    }

    static void head(Html html, String title) {
        html.line("<!DOCTYPE html>");
        html.line("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.line("<meta http-equiv=\"Content-Security-Policy\" content=\"" + CONTENT_SECURITY_POLICY + "\">");
        html.line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.line("<meta name=\"generator\" content=\"tribuo-invariance\">");
        html.line("<title>" + Html.text(title) + "</title><style>" + STYLE + "</style></head><body>");
        html.element("h1", title);
    }

    static void foot(Html html) {
        html.line("<footer><p class=\"legend\">Written by tribuo-invariance. Conventions: W is d_out × d_in; layers"
                + " are in data-flow order; figures as in the analysis JSON (docs/json.md).</p></footer>");
        html.line("</body></html>");
    }
}
