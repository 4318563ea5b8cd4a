/// An experiment: a named group of runs. Ids are decimal strings on the wire; "0" is `Default`.
public struct Experiment: Sendable, Equatable {
    public var experimentID: String
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    public var tags: [KeyValue]
}
