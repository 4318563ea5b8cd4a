import CairnTracking

/// Where a version came from: its run with params and metrics, the datasets that run read, the
/// code it ran, and the pipeline run that launched it.
public struct ModelVersionLineage: Sendable {
    public var version: ModelVersion
    /// nil when the version was registered without a run, or the run was since deleted for good.
    public var run: Run?
    public var datasets: [DatasetInput]
    /// `mlflow.source.git.commit` of the run.
    public var gitCommit: String?
    /// `mlflow.source.git.repoURL` of the run.
    public var gitRepoURL: String?
    /// `mlflow.source.name` of the run: the script or notebook.
    public var sourceName: String?
    /// The Cairn pipeline run that launched the training run (run tag `cairn.pipeline.run_id`).
    public var pipelineRunID: String?

    /// Run tags that lineage reads.
    public enum Tag {
        public static let gitCommit = "mlflow.source.git.commit"
        public static let gitRepoURL = "mlflow.source.git.repoURL"
        public static let sourceName = "mlflow.source.name"
        public static let pipelineRunID = "cairn.pipeline.run_id"
    }
}
