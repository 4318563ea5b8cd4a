import CairnStorage
import CairnTracking
import Foundation

/// `/runs/<id>/artifacts?path=…`: a run's artifact folder, or one file with a preview: text, JSON,
/// YAML and code as text, CSV as a table, images inline; every file has a download link.
enum ArtifactsPage {
    /// Files larger than this are not previewed, only linked.
    static let previewLimit: Int64 = 1 << 20
    static let csvRowLimit = 200

    enum Content {
        case folder([ArtifactEntry])
        case file(StoredArtifact, preview: Preview)
    }

    enum Preview {
        case text(String)
        case table([[String]])
        case image
        case none(reason: String)
    }

    static func render(run: Run, path: ArtifactPath, storePath: ArtifactPath, content: Content) -> String {
        let runLink = "/runs/\(run.info.runID)"
        var crumbs: [PageLayout.Crumb] = [.init(title: "Experiments", href: "/"), .init(title: run.info.runName, href: runLink),
                                          .init(title: "artifacts", href: path.isRoot ? nil : link(run, ArtifactPath.root))]
        var partial = ArtifactPath.root
        for (index, segment) in path.segments.enumerated() {
            partial = partial.appending(try! ArtifactPath(validating: String(segment)))
            crumbs.append(.init(title: String(segment), href: index == path.segments.count - 1 ? nil : link(run, partial)))
        }
        return PageLayout.render(title: "Artifacts of \(run.info.runName)", crumbs: crumbs) { main in
            switch content {
            case .folder(let entries):
                main.element("h1", text: path.isRoot ? "Artifacts" : path.value)
                if entries.isEmpty { main.element("p", ["class": "muted"], text: "No artifacts here.") }
                main.element("table", ["class": "artifacts"]) { table in
                    table.tableHead(["Name", "Size"])
                    table.element("tbody") { body in
                        for entry in entries {
                            let child = path.appending(try! ArtifactPath(validating: entry.name))
                            body.element("tr") { row in
                                row.element("td") { $0.element("a", ["href": link(run, child)], text: entry.isDirectory ? entry.name + "/" : entry.name) }
                                row.element("td", ["class": "num"], text: entry.size.map(String.init) ?? "")
                            }
                        }
                    }
                }
            case .file(let artifact, let preview):
                let download = "/api/2.0/mlflow-artifacts/artifacts/" + storePath.segments.map(Formatting.pathSegment).joined(separator: "/")
                main.element("h1", text: path.lastComponent)
                main.element("p") { line in
                    line.text("\(artifact.size) bytes · SHA-256 \(artifact.sha256) · ")
                    line.element("a", ["href": download, "download": path.lastComponent], text: "Download")
                }
                switch preview {
                case .text(let text): main.element("pre", ["class": "preview"], text: text)
                case .table(let rows):
                    main.element("div", ["class": "scroll"]) { scroll in
                        scroll.element("table", ["class": "csv"]) { table in
                            if let header = rows.first { table.tableHead(header) }
                            table.element("tbody") { body in
                                for row in rows.dropFirst() { body.element("tr") { tr in for cell in row { tr.element("td", text: cell) } } }
                            }
                        }
                    }
                case .image: main.void("img", ["src": download, "alt": path.lastComponent, "class": "preview"])
                case .none(let reason): main.element("p", ["class": "muted"], text: reason)
                }
            }
        }
    }

    static func link(_ run: Run, _ path: ArtifactPath) -> String {
        var components = URLComponents()
        components.path = "/runs/\(run.info.runID)/artifacts"
        if !path.isRoot { components.queryItems = [URLQueryItem(name: "path", value: path.value)] }
        return components.string ?? components.path
    }

    /// How a file of this name is previewed.
    enum Kind {
        case text, csv, image, binary
    }

    static func kind(of name: String) -> Kind {
        let lower = name.lowercased()
        let ext = (lower as NSString).pathExtension
        if ["png", "jpg", "jpeg", "gif", "svg", "webp"].contains(ext) { return .image }
        if ext == "csv" { return .csv }
        if ["txt", "log", "json", "yaml", "yml", "md", "py", "sh", "toml", "ini", "cfg", "html", "xml", "tsv"].contains(ext)
            || ["mlmodel", "requirements.txt", "conda.yaml", "python_env.yaml"].contains(lower) { return .text }
        return .binary
    }

    /// CSV rows (RFC 4180 quoting), at most `limit` rows.
    static func csvRows(_ text: String, limit: Int) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending { pending = nil; return character }
            return characters.next()
        }
        while rows.count < limit, let character = next() {
            switch (character, quoted) {
            case ("\"", true):
                if let following = next() { if following == "\"" { field.append("\"") } else { quoted = false; pending = following } } else { quoted = false }
            case ("\"", false) where field.isEmpty: quoted = true
            case (",", false): row.append(field); field = ""
            case ("\n", false), ("\r\n", false):
                row.append(field); rows.append(row); row = []; field = ""
            case ("\r", false): continue
            default: field.append(character)
            }
        }
        if rows.count < limit, !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
