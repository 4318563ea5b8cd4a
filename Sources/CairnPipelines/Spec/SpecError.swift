/// A pipeline spec that cannot be accepted, naming where: `steps.train.retry.attempts: …`.
public struct SpecError: Error, Equatable, CustomStringConvertible {
    /// Dotted location in the spec (`steps.train.inputs.data`), or "" for the whole document.
    public var path: String
    public var message: String
    /// 1-based line in the YAML, when known.
    public var line: Int?

    public init(_ path: String, _ message: String, line: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
    }

    public var description: String {
        let location = path.isEmpty ? "" : "\(path): "
        return location + message + (line.map { " (line \($0))" } ?? "")
    }
}
