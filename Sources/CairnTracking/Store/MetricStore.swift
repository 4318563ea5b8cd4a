import CairnCore
import SQLKit

/// SQL for metric points, the per-key latest value, and history reads.
enum MetricStore {
    /// Inserts points (identical ones collapse) and moves each key's latest value forward.
    static func insert(_ metrics: [Metric], runID: String, on db: any SQLDatabase) async throws {
        guard !metrics.isEmpty else { return }
        var insert = db.insert(into: "metrics")
            .columns("run_id", "key", "step", "timestamp", "value", "is_nan", "model_id", "dataset_name", "dataset_digest")
        var latest: [String: Metric] = [:]
        for metric in metrics {
            insert = insert.values([runID, metric.key, metric.step, metric.timestamp, storedValue(metric.value),
                                    metric.value.isNaN ? 1 : 0, metric.modelID, metric.datasetName, metric.datasetDigest])
            if let current = latest[metric.key], !metric.isLater(than: current) { continue }
            latest[metric.key] = metric
        }
        try await insert.ignoringConflicts(with: ["run_id", "key", "timestamp", "step", "value", "is_nan"]).run()
        for metric in latest.values {
            try await db.raw("""
                INSERT INTO latest_metrics (run_id, key, step, timestamp, value, is_nan)
                VALUES (\(bind: runID), \(bind: metric.key), \(bind: metric.step), \(bind: metric.timestamp),
                        \(bind: storedValue(metric.value)), \(bind: metric.value.isNaN ? 1 : 0))
                ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp,
                    value = excluded.value, is_nan = excluded.is_nan
                WHERE excluded.step > latest_metrics.step
                   OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
                   OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp
                       AND excluded.is_nan = 0 AND (latest_metrics.is_nan = 1 OR excluded.value > latest_metrics.value))
                """).run()
        }
    }

    /// NaN is stored as 0 with `is_nan = 1`, as MLflow does (not every engine orders NaN sanely).
    private static func storedValue(_ value: Double) -> Double { value.isNaN ? 0 : value }

    static func latest(runIDs: [String], on db: any SQLDatabase) async throws -> [String: [Metric]] {
        let rows = try await db.raw("""
            SELECT run_id, key, step, timestamp, value, is_nan FROM latest_metrics WHERE run_id IN (\(binds: runIDs)) ORDER BY key
            """).all()
        var result: [String: [Metric]] = [:]
        for row in rows {
            result[try row.decode(column: "run_id", as: String.self), default: []].append(try decode(row, withOrigin: false))
        }
        return result
    }

    /// One page of a metric's history in MLflow's order: (timestamp, step, value).
    static func history(runID: String, key: String, offset: Int, limit: Int?, on db: any SQLDatabase) async throws -> [Metric] {
        var query: SQLQueryString = """
            SELECT key, step, timestamp, value, is_nan, model_id, dataset_name, dataset_digest FROM metrics
            WHERE run_id = \(bind: runID) AND key = \(bind: key) ORDER BY timestamp, step, value
            """
        if let limit { query += " LIMIT \(bind: limit) OFFSET \(bind: offset)" }
        return try await db.raw(query).all().map { try decode($0, withOrigin: true) }
    }

    /// Every (step, timestamp, value) of one run's `key` in step order (then time), for drawing
    /// charts; NaN points come back as NaN.
    static func series(runID: String, key: String, on db: any SQLDatabase) async throws -> [MetricPoint] {
        try await db.raw("""
            SELECT step, timestamp, value, is_nan FROM metrics WHERE run_id = \(bind: runID) AND key = \(bind: key) ORDER BY step, timestamp
            """).all().map { row in
            let isNaN = try row.decode(column: "is_nan", as: Int.self) != 0
            return MetricPoint(step: try row.decode(column: "step", as: Int64.self), timestamp: try row.decode(column: "timestamp", as: Int64.self),
                               value: isNaN ? .nan : try row.decode(column: "value", as: Double.self))
        }
    }

    /// About `maxResults` points of one run's `key`, spread evenly over its points in `steps` (all
    /// when nil), as MLflow samples them for charts: the points, ordered by (step, timestamp,
    /// value), are cut into `maxResults` equal buckets and the first of each is kept; the last point
    /// is always kept, taking the last sample's place when there are already `maxResults`.
    static func sampledHistory(runID: String, key: String, steps: ClosedRange<Int64>?, maxResults: Int, on db: any SQLDatabase) async throws -> [Metric] {
        var filter: SQLQueryString = "run_id = \(bind: runID) AND key = \(bind: key)"
        if let steps { filter += " AND step >= \(bind: steps.lowerBound) AND step <= \(bind: steps.upperBound)" }
        let columns = "key, step, timestamp, value, is_nan, model_id, dataset_name, dataset_digest"
        let order = "step, timestamp, value, is_nan"
        let bucketed: SQLQueryString = "SELECT \(unsafeRaw: columns), NTILE(CAST(\(bind: maxResults) AS INTEGER)) OVER (ORDER BY \(unsafeRaw: order)) AS bucket "
            + "FROM metrics WHERE " + filter
        let ranked: SQLQueryString = "SELECT \(unsafeRaw: columns), ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY \(unsafeRaw: order)) AS rank_in_bucket "
            + "FROM (" + bucketed + ") bucketed"
        var sampled = try await db.raw("SELECT \(unsafeRaw: columns) FROM (" + ranked + ") ranked WHERE rank_in_bucket = 1 ORDER BY \(unsafeRaw: order)")
            .all().map { try decode($0, withOrigin: true) }
        let lastRow = try await db.raw("SELECT \(unsafeRaw: columns) FROM metrics WHERE " + filter
            + " ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC LIMIT 1").first()
        if let lastRow {
            let last = try decode(lastRow, withOrigin: true)
            if sampled.last != last {
                if sampled.count >= maxResults { sampled[sampled.count - 1] = last } else { sampled.append(last) }
            }
        }
        return sampled.map { metric in
            var metric = metric
            metric.runID = runID
            return metric
        }
    }

    /// Decodes a point; `withOrigin` also reads the model and dataset columns a query selected.
    static func decode(_ row: any SQLRow, withOrigin: Bool) throws -> Metric {
        let isNaN = try row.decode(column: "is_nan", as: Int.self) != 0
        return Metric(
            key: try row.decode(column: "key", as: String.self),
            value: isNaN ? .nan : try row.decode(column: "value", as: Double.self),
            timestamp: try row.decode(column: "timestamp", as: Int64.self),
            step: try row.decode(column: "step", as: Int64.self),
            modelID: withOrigin ? try row.decode(column: "model_id", as: String?.self) : nil,
            datasetName: withOrigin ? try row.decode(column: "dataset_name", as: String?.self) : nil,
            datasetDigest: withOrigin ? try row.decode(column: "dataset_digest", as: String?.self) : nil)
    }
}
