/// MLflow's limits (`mlflow/utils/validation.py`), enforced identically here.
public enum TrackingLimits {
    public static let maxMetricsPerBatch = 1000
    public static let maxParamsPerBatch = 100
    public static let maxTagsPerBatch = 100
    public static let maxEntitiesPerBatch = 1000
    public static let maxKeyLength = 250
    public static let maxParamValueLength = 6000
    public static let maxTagValueLength = 8000
    public static let maxExperimentNameLength = 500
    public static let maxExperimentTagValueLength = 20000
    public static let maxArtifactLocationLength = 2048
    public static let maxRunSearchResults = 50000
    public static let maxExperimentSearchResults = 50000
    public static let defaultRunSearchResults = 1000
    public static let maxDatasetNameLength = 500
    public static let maxDatasetDigestLength = 36
    public static let maxDatasetSourceLength = 65535
    public static let maxInputTagKeyLength = 255
    public static let maxInputTagValueLength = 500
}
