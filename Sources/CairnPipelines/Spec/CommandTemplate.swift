/// A command or environment value with `{{ … }}` placeholders: `{{params.<name>}}`,
/// `{{inputs.<name>}}`, `{{outputs.<name>}}`, `{{item}}` (in a `foreach` step), `{{run.id}}` and
/// `{{step.name}}`. Everything else is literal text.
public struct CommandTemplate: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        case text(String)
        case placeholder([String])
    }

    public let segments: [Segment]

    public init(_ source: String) throws(SpecError) {
        var segments: [Segment] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            segments.append(.text(String(rest[..<open.lowerBound])))
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw SpecError("", "'{{' without a closing '}}'") }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let path = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !name.isEmpty, path.allSatisfy({ !$0.isEmpty }) else { throw SpecError("", "empty or malformed placeholder '{{\(name)}}'") }
            segments.append(.placeholder(path))
            rest = rest[close.upperBound...]
        }
        segments.append(.text(String(rest)))
        self.segments = segments.filter { $0 != .text("") }
    }

    public var placeholders: [[String]] {
        segments.compactMap { if case .placeholder(let path) = $0 { path } else { nil } }
    }

    /// The text with every placeholder replaced by `value(path)`.
    public func render(_ value: ([String]) throws -> String) rethrows -> String {
        try segments.map { segment in
            switch segment {
            case .text(let text): text
            case .placeholder(let path): try value(path)
            }
        }.joined()
    }
}
