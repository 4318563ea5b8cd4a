/// Builds an HTML document as text. Text and attribute values are always escaped; only markup
/// written by Cairn itself (`raw`, which takes a static string) goes out as is.
struct HTMLWriter {
    private(set) var output = ""

    init() {
        output.reserveCapacity(64 << 10)
    }

    /// `<tag attributes…>content</tag>`. Attributes with a nil value are left out.
    mutating func element(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:],
                          _ content: (inout HTMLWriter) -> Void = { _ in }) {
        open(tag, attributes)
        content(&self)
        output += "</\(tag)>"
    }

    /// An element with text content only.
    mutating func element(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?> = [:], text: String) {
        element(tag, attributes) { $0.text(text) }
    }

    /// A void element (`<input>`, `<meta>`).
    mutating func void(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?>) {
        open(tag, attributes)
    }

    /// `<thead>` with one row of plain column titles.
    mutating func tableHead(_ titles: [String]) {
        element("thead") { head in
            head.element("tr") { row in
                for title in titles { row.element("th", text: title) }
            }
        }
    }

    mutating func text(_ value: String) {
        output += HTMLEscaping.text(value)
    }

    mutating func raw(_ markup: StaticString) {
        output += markup.description
    }

    private mutating func open(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String?>) {
        output += "<\(tag)"
        for (name, value) in attributes {
            guard let value else { continue }
            output += " \(name)=\"\(HTMLEscaping.attribute(value))\""
        }
        output += ">"
    }
}
