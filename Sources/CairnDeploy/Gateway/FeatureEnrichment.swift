import CairnCore
import CairnFeatures
import CairnHTTP
import Foundation
import NIOCore

/// For a deployment that reads a feature service: turns a request of entity rows — MLflow's
/// `dataframe_records` or `dataframe_split` with the join keys and request fields — into the
/// model's input, the service's features in its order as `dataframe_split`, read from the online
/// store and computed (on-demand ones) by the same code as the training set.
struct FeatureEnrichment: Sendable {
    var project: String?
    var service: String

    func enrich(_ body: ByteBuffer?, store: FeatureStoreService, deployment: String) async throws(CairnError) -> ByteBuffer {
        guard let body, case .object(let request)? = try? JSONValue.parse(Array(body.readableBytesView)) else {
            throw .invalidParameter("Deployment '\(deployment)' takes entity rows as JSON: {\"dataframe_records\": [{\"<key>\": …}, …]} or dataframe_split.")
        }
        var entities: [String: [FeatureValue]] = [:]
        var rows = 0
        func add(_ name: String, _ value: JSONValue) throws(CairnError) {
            guard let scalar = FeatureValue(json: value) else { throw .invalidParameter("Entity column '\(name)' holds \(value), not a scalar.") }
            entities[name, default: []].append(scalar)
        }
        if case .array(let records)? = request["dataframe_records"] {
            for record in records {
                guard case .object(let fields) = record else { throw .invalidParameter("Each of dataframe_records must be an object.") }
                for (name, value) in fields { try add(name, value) }
            }
            rows = records.count
        } else if case .object(let split)? = request["dataframe_split"], case .array(let columns)? = split["columns"], case .array(let data)? = split["data"] {
            for row in data {
                guard case .array(let values) = row, values.count == columns.count else { throw .invalidParameter("Each row of dataframe_split needs one value per column.") }
                for (column, value) in zip(columns, values) {
                    guard case .string(let name) = column else { throw .invalidParameter("dataframe_split columns must be names.") }
                    try add(name, value)
                }
            }
            rows = data.count
        } else {
            throw .invalidParameter("Deployment '\(deployment)' reads feature service '\(service)': send entity rows as dataframe_records or dataframe_split.")
        }
        guard rows > 0, entities.values.allSatisfy({ $0.count == rows }) else {
            throw .invalidParameter("Every entity row needs a value for every column (\(rows) rows).")
        }
        let features: OnlineFeatures
        do { features = try await store.onlineFeatures(project: project, references: [service], entities: entities) } catch let error as CairnError {
            throw error
        } catch {
            throw .internalError("Reading features of '\(service)' failed: \(error)")
        }
        let columns = Array(features.columns[features.keyCount...])
        var data: [JSONValue] = []
        for row in 0..<rows {
            var values: [JSONValue] = []
            for column in columns {
                guard let value = column.values[row] else {
                    throw CairnError(.invalidParameterValue, "Entity row \(row) has no value for feature '\(column.name)' (\(column.statuses[row].rawValue)); "
                                     + "the model cannot be fed.", httpStatus: 422)
                }
                values.append(Self.number(value))
            }
            data.append(.array(values))
        }
        let input: JSONValue = .object(["dataframe_split": .object(["columns": .array(columns.map { .string($0.name) }), "data": .array(data)])])
        guard let encoded = try? JSONEncoder().encode(input) else { throw .internalError("Could not encode the model's input.") }
        return ByteBuffer(bytes: encoded)
    }

    /// What a model takes: numbers (booleans as 1 and 0); text stays text.
    static func number(_ value: FeatureValue) -> JSONValue {
        switch value {
        case .int(let number): .int(number)
        case .double(let number): .double(number)
        case .bool(let flag): .int(flag ? 1 : 0)
        case .string(let text): .string(text)
        }
    }
}
