import CairnCore
import CairnHTTP
import CairnMonitoring
import Hummingbird

/// Reference datasets (`POST /api/v1/models/<name>/versions/<version>/reference` with
/// `{"columns": […], "data": [[…], …]}`, pandas' split orient) and a deployment's drift against
/// its reference (`GET /api/v1/deployments/<name>/drift?since=<ms>&revision=<n>`).
public struct DriftRoutes<Context: RequestContext>: Sendable {
    let service: DeploymentService

    public init(service: DeploymentService) {
        self.service = service
    }

    public func register(on routes: APIRoutes<Context>) {
        routes.json(.post, path: "/models/{name}/versions/{version}/reference") { fields, _, context in
            guard let version = Int64(try context.pathParameter("version")) else { throw CairnError.invalidParameter("The version must be a number.") }
            let dataset = try ReferenceDataset(columns: try fields.strings("columns"), rows: try Self.rows(fields))
            try await service.attachReference(dataset, model: try context.pathParameter("name"), version: version)
            return ReferenceOutput(columns: dataset.columns, rows: dataset.rows.count)
        }
        routes.json(.get, path: "/deployments/{name}/drift") { fields, _, context in
            let (revision, report) = try await service.drift(name: try context.pathParameter("name"), revision: try DeploymentSpecFields.int(fields, "revision"),
                                                             since: try fields.int64("since"))
            return DriftOutput(drift: .init(revision: revision.number, model_version: revision.modelVersion, dataset_drift: report.dataset.detected,
                                            drifted_share: report.dataset.driftedShare, current_rows: report.currentRows, reference_rows: report.referenceRows,
                                            columns: report.dataset.columns.map {
                                                .init(column: $0.column, test: $0.test.rawValue, threshold: $0.threshold, score: $0.score, drift_detected: $0.detected)
                                            }))
        }
    }

    /// `data`: rows of numbers and strings (booleans as text); anything else is refused.
    static func rows(_ fields: RequestFields) throws -> [[ReferenceDataset.Value]] {
        guard case .array(let rows)? = fields.values["data"] else { throw CairnError.invalidParameter("Missing value for required parameter 'data' (rows of values).") }
        return try rows.enumerated().map { index, row in
            guard case .array(let values) = row else { throw CairnError.invalidParameter("Row \(index) of 'data' is not a list of values.") }
            return try values.map { value in
                guard let converted = value.datasetValue else {
                    throw CairnError.invalidParameter("Row \(index) of 'data' holds \(value), which is neither a number nor a string.")
                }
                return converted
            }
        }
    }

    struct ReferenceOutput: Encodable {
        let columns: [String]
        let rows: Int
    }

    struct DriftOutput: Encodable {
        struct Report: Encodable {
            struct Column: Encodable {
                let column: String
                let test: String
                let threshold: Double
                let score: Double
                let drift_detected: Bool
            }

            let revision: Int
            let model_version: Int64
            let dataset_drift: Bool
            let drifted_share: Double
            let current_rows: Int
            let reference_rows: Int
            let columns: [Column]
        }

        let drift: Report
    }
}

extension JSONValue {
    /// A number or a category, as datasets and labels hold them (booleans as text); nil for
    /// anything else.
    var datasetValue: ReferenceDataset.Value? {
        switch self {
        case .int(let number): .number(Double(number))
        case .double(let number): .number(number)
        case .string(let text): .text(text)
        case .bool(let flag): .text(String(flag))
        default: nil
        }
    }
}
