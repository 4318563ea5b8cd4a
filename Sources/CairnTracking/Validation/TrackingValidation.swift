import CairnCore
import Foundation

/// MLflow's validation rules for names, values and batch sizes, with its messages.
package enum TrackingValidation {
    private static let allowedKeyCharacters: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "_-./ :")
        return set
    }()

    /// Metric, param and tag keys: MLflow's character set, at most 250 characters, and no name that
    /// would resolve to another one when treated as a file path.
    package static func validateKey(_ key: String, parameter: String = "key") throws {
        guard !key.isEmpty else {
            throw CairnError.invalidParameter("Missing value for required parameter '\(parameter)'. See the API docs for more information about request parameters.")
        }
        guard key.unicodeScalars.allSatisfy({ allowedKeyCharacters.contains($0) }) else {
            throw CairnError.invalidParameter("Invalid value \"\(key)\" for parameter '\(parameter)' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).")
        }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        if key.hasPrefix("/") || key.hasSuffix("/") || key == "." || segments.contains("..") || segments.contains(".")
            || segments.dropFirst().contains("") {
            throw CairnError.invalidParameter("Invalid value \"\(key)\" for parameter '\(parameter)' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '\(NSString(string: key).standardizingPath)'")
        }
        guard key.count <= TrackingLimits.maxKeyLength else {
            throw CairnError.invalidParameter("'\(parameter)' exceeds the maximum length of \(TrackingLimits.maxKeyLength) characters")
        }
    }

    /// MLflow truncates over-long param and tag values on the server (`MLFLOW_TRUNCATE_LONG_VALUES`, on by default).
    static func truncated(_ value: String, limit: Int) -> String {
        value.count <= limit ? value : String(value.prefix(limit))
    }

    static func validateBatchSizes(metrics: Int, params: Int, tags: Int) throws {
        try validateBatchLimit("metrics", limit: TrackingLimits.maxMetricsPerBatch, count: metrics)
        try validateBatchLimit("params", limit: TrackingLimits.maxParamsPerBatch, count: params)
        try validateBatchLimit("tags", limit: TrackingLimits.maxTagsPerBatch, count: tags)
        let total = metrics + params + tags
        if total > TrackingLimits.maxEntitiesPerBatch {
            throw CairnError.invalidParameter("A batch logging request can contain at most \(TrackingLimits.maxEntitiesPerBatch) metrics, params, and tags in total. Received \(metrics) metrics, \(params) params, and \(tags) tags. Please split up across multiple requests and try again.")
        }
    }

    private static func validateBatchLimit(_ entity: String, limit: Int, count: Int) throws {
        if count > limit {
            throw CairnError.invalidParameter("A batch logging request can contain at most \(limit) \(entity). Got \(count) \(entity). Please split up \(entity) across multiple requests and try again.")
        }
    }

    static func validateExperimentName(_ name: String) throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CairnError.invalidParameter("Invalid experiment name: '\(name)'")
        }
        if name.count > TrackingLimits.maxExperimentNameLength {
            throw CairnError.invalidParameter("Experiment name exceeds the maximum length of \(TrackingLimits.maxExperimentNameLength) characters")
        }
    }

    static func validateExperimentTag(_ tag: KeyValue) throws {
        try validateKey(tag.key)
        if tag.value.count > TrackingLimits.maxExperimentTagValueLength {
            throw CairnError.invalidParameter("'value' exceeds the maximum length of \(TrackingLimits.maxExperimentTagValueLength) characters")
        }
    }

    static func validateMetric(_ metric: Metric) throws {
        try validateKey(metric.key)
        if metric.timestamp < 0 {
            throw CairnError.invalidParameter("Got invalid timestamp \(metric.timestamp) for metric '\(metric.key)' (value=\(metric.value)). Timestamp must be a nonnegative long (64-bit integer) ")
        }
    }

    /// Run ids are 32 hex characters here; MLflow accepts `^[a-zA-Z0-9][\w\-]{0,255}$`.
    static func validateRunID(_ runID: String) throws {
        let valid = runID.range(of: #"^[a-zA-Z0-9][\w\-]{0,255}$"#, options: .regularExpression) != nil
        if !valid { throw CairnError.invalidParameter("Invalid value \(runID) for parameter 'run_id' supplied") }
    }

    static func validateDataset(_ dataset: Dataset) throws {
        if dataset.name.count > TrackingLimits.maxDatasetNameLength {
            throw CairnError.invalidParameter("Dataset name '\(dataset.name.prefix(40))…' exceeds the maximum length of \(TrackingLimits.maxDatasetNameLength)")
        }
        if dataset.digest.count > TrackingLimits.maxDatasetDigestLength {
            throw CairnError.invalidParameter("Dataset digest '\(dataset.digest)' exceeds the maximum length of \(TrackingLimits.maxDatasetDigestLength)")
        }
        if dataset.source.count > TrackingLimits.maxDatasetSourceLength {
            throw CairnError.invalidParameter("Dataset source exceeds the maximum length of \(TrackingLimits.maxDatasetSourceLength)")
        }
    }

    static func validateInputTag(_ tag: KeyValue) throws {
        if tag.key.count > TrackingLimits.maxInputTagKeyLength {
            throw CairnError.invalidParameter("Input tag key '\(tag.key.prefix(40))…' exceeds the maximum length of \(TrackingLimits.maxInputTagKeyLength)")
        }
        if tag.value.count > TrackingLimits.maxInputTagValueLength {
            throw CairnError.invalidParameter("Input tag value for '\(tag.key)' exceeds the maximum length of \(TrackingLimits.maxInputTagValueLength)")
        }
    }
}
