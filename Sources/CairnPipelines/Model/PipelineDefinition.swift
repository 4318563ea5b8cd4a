/// A pipeline as stored: its latest spec and the MLflow experiment its runs are logged in.
public struct PipelineDefinition: Sendable {
    public var name: String
    public var specYAML: String
    public var experimentID: String
    public var createdAt: Int64
    public var updatedAt: Int64
}
