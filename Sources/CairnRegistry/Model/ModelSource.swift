import CairnStorage

/// Where a version's files come from, resolved from the `source` URI the client sent.
struct ModelSource: Sendable {
    var runID: String?
    var loggedModelID: String?
    /// The files in Cairn's artifact store to snapshot; nil for a source outside it.
    var artifactPath: ArtifactPath?
}
