import CairnCore
import CairnMonitoring
import Foundation

/// Ground truth and service windows: labels joined to logged predictions by request id, the
/// online accuracy they give, and a deployment's traffic over rolling windows.
extension DeploymentService {
    /// Labelled predictions compared at most, newest first.
    static let performanceLimit = 100_000

    /// Records the labels of logged requests: one label per prediction of each. All or nothing;
    /// an id not logged for this deployment, or a label count unlike the prediction count, is refused.
    public func recordFeedback(name: String, labels: [(requestID: String, labels: [ReferenceDataset.Value])]) async throws {
        _ = try await deployment(name: name)
        guard !labels.isEmpty else { throw CairnError.invalidParameter("Give at least one request_id with its label.") }
        let database = self.database
        let logged = try await database.read { db in try await FeedbackStore.loggedRows(labels.map(\.requestID), deployment: name, on: db) }
        for entry in labels {
            guard let predictions = logged[entry.requestID] else {
                throw CairnError.notFound("No prediction of deployment '\(name)' was logged with request id '\(entry.requestID)' "
                                          + "(unknown, not sampled, or older than the log's retention).")
            }
            if let predictions, predictions != entry.labels.count {
                throw CairnError.invalidParameter("Request '\(entry.requestID)' made \(predictions) predictions; got \(entry.labels.count) labels.")
            }
        }
        let now = Clock.nowMillis()
        try await database.write { db in
            for entry in labels {
                let json = String(decoding: try JSONEncoder().encode(entry.labels), as: UTF8.self)
                try await FeedbackStore.save(requestID: entry.requestID, deployment: name, labelsJSON: json, at: now, on: db)
            }
        }
    }

    /// Accuracy, precision and recall of `positive`, RMSE and MAE over the requests answered
    /// since `since` (milliseconds) whose labels have come back.
    public func performance(name: String, since: Int64, positive: String = "1") async throws -> OnlinePerformance {
        _ = try await deployment(name: name)
        let database = self.database
        let rows = try await database.read { db in try await FeedbackStore.labelled(deployment: name, since: since, limit: Self.performanceLimit, on: db) }
        var pairs: [(prediction: ReferenceDataset.Value, label: ReferenceDataset.Value)] = []
        for row in rows {
            guard let predictions = LoggedRequest(inputs: row.inputs, outputs: row.outputs)?.predictions,
                  let labels = try? JSONDecoder().decode([ReferenceDataset.Value].self, from: Data(row.labels.utf8)),
                  labels.count == predictions.count else { continue }
            pairs += zip(predictions, labels).map { ($0, $1) }
        }
        return OnlinePerformance(pairs: pairs, positive: positive)
    }

    /// The 1-, 5- and 15-minute windows of `name`'s traffic.
    public func serviceWindows(name: String) async throws -> [WindowSummary] {
        _ = try await deployment(name: name)
        return [60, 300, 900].map { gateway.windows.summary(name, seconds: $0) }
    }

    /// `name`'s traffic minute by minute over the last 15 minutes, oldest first.
    public func serviceSeries(name: String) async throws -> [(start: Int64, summary: WindowSummary)] {
        _ = try await deployment(name: name)
        return gateway.windows.series(name, spanSeconds: 60, count: RollingWindows.horizonSeconds / 60)
    }
}
