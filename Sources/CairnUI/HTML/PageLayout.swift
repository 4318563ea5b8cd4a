/// The frame every page shares: head, inline stylesheet (no CDN, no external requests), the top
/// navigation and a breadcrumb trail.
enum PageLayout {
    struct Crumb {
        var title: String
        /// nil for the current page.
        var href: String?
    }

    /// `refreshSeconds`: pages that show live state reload themselves that often.
    static func render(title: String, crumbs: [Crumb], refreshSeconds: Int? = nil, body: (inout HTMLWriter) -> Void) -> String {
        var html = HTMLWriter()
        html.raw("<!DOCTYPE html>")
        html.element("html", ["lang": "en"]) { html in
            html.element("head") { head in
                head.void("meta", ["charset": "utf-8"])
                head.void("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
                if let refreshSeconds { head.void("meta", ["http-equiv": "refresh", "content": String(refreshSeconds)]) }
                head.element("title", text: title + " · Cairn")
                head.element("style") { $0.raw(stylesheet) }
            }
            html.element("body") { page in
                page.element("nav", ["class": "top"]) { nav in
                    nav.element("a", ["href": "/", "class": "brand"], text: "Cairn")
                    nav.element("a", ["href": "/"], text: "Experiments")
                    nav.element("a", ["href": "/models"], text: "Models")
                    nav.element("a", ["href": "/pipelines"], text: "Pipelines")
                    nav.element("a", ["href": "/deployments"], text: "Deployments")
                    nav.element("a", ["href": "/features"], text: "Features")
                }
                page.element("main") { main in
                    main.element("ol", ["class": "crumbs"]) { list in
                        for crumb in crumbs {
                            list.element("li") { item in
                                if let href = crumb.href {
                                    item.element("a", ["href": href], text: crumb.title)
                                } else {
                                    item.text(crumb.title)
                                }
                            }
                        }
                    }
                    body(&main)
                }
            }
        }
        return html.output
    }

    static let stylesheet: StaticString = """
        :root { --fg: #1d2330; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --bad: #b91c1c; --bg: #fff; --alt: #f8fafc; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
        nav.top { display: flex; gap: 20px; align-items: center; padding: 10px 24px; border-bottom: 1px solid var(--line); }
        nav.top a { color: var(--fg); text-decoration: none; }
        nav.top a.brand { font-weight: 700; margin-right: 12px; }
        main { padding: 16px 24px 40px; max-width: 1400px; }
        ol.crumbs { list-style: none; display: flex; gap: 6px; padding: 0; margin: 0 0 12px; color: var(--muted); }
        ol.crumbs li + li::before { content: "/"; margin-right: 6px; }
        ol.crumbs a { color: var(--accent); text-decoration: none; }
        h1 { font-size: 20px; margin: 0 0 12px; }
        a { color: var(--accent); }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
        th a { color: var(--fg); text-decoration: none; }
        tbody tr:nth-child(even) { background: var(--alt); }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        form.filter { display: flex; gap: 8px; margin: 0 0 12px; }
        form.filter input[type=text] { flex: 1; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
        form.filter button { padding: 6px 14px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; font: inherit; }
        p.error { color: var(--bad); background: #fef2f2; border: 1px solid #fecaca; padding: 8px 10px; border-radius: 4px; }
        p.muted, span.muted { color: var(--muted); }
        .pager { margin-top: 12px; display: flex; gap: 12px; }
        .scroll { overflow-x: auto; }
        h2 { font-size: 16px; margin: 20px 0 8px; }
        table.overview th, table.kv th { width: 220px; color: var(--muted); font-weight: 500; }
        table.kv td, table.overview td { white-space: normal; word-break: break-word; }
        .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)); gap: 16px; }
        figure.chart { margin: 0; }
        figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
        tr.differs { background: #fffbeb !important; }
        tr.selected { background: #eff6ff !important; }
        pre.preview { background: var(--alt); border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 70vh; font-size: 12px; }
        img.preview { max-width: 100%; border: 1px solid var(--line); }
        td.hash, td.payload { font-family: ui-monospace, monospace; font-size: 12px; white-space: normal; word-break: break-all; }
        tr.differs th { color: #92400e; }
        ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 12px; padding: 0; margin: 6px 0 0; }
        details.columns { margin: 0 0 12px; }
        details.columns summary { cursor: pointer; color: var(--accent); }
        form.columns { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; margin-top: 8px; }
        form.columns fieldset { border: 1px solid var(--line); border-radius: 4px; max-height: 220px; overflow: auto; min-width: 180px; }
        form.columns label { display: block; white-space: nowrap; }
        form.columns button, .pager button { padding: 6px 14px; border: 1px solid var(--accent); background: #fff; color: var(--accent); border-radius: 4px; font: inherit; }
        p.axis a.current { font-weight: 600; color: var(--fg); text-decoration: none; }
        span.state { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #e5e7eb; }
        span.state.succeeded { background: #dcfce7; color: #166534; } span.state.failed { background: #fee2e2; color: #991b1b; }
        span.state.running { background: #dbeafe; color: #1e40af; } span.state.cached { background: #d1fae5; color: #065f46; }
        div.split { display: flex; height: 22px; border-radius: 4px; overflow: hidden; margin: 8px 0 16px; max-width: 720px; }
        div.split span { color: #fff; font-size: 12px; line-height: 22px; padding-left: 6px; white-space: nowrap; overflow: hidden; }
        div.split span:nth-child(odd) { background: #2563eb; } div.split span:nth-child(even) { background: #7c3aed; }
        span.state.queued { background: #fef3c7; color: #92400e; } span.state.cancelled, span.state.skipped { background: #f3f4f6; color: #4b5563; }
        td.message { white-space: normal; max-width: 520px; }
        svg.dag a { text-decoration: none; }
        span.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
        """
}
