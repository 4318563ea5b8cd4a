import CairnCore
import Foundation
import SQLKit

/// The fields of `logged-models` create.
public struct CreateLoggedModelRequest: Sendable {
    public var experimentID: String
    public var name: String?
    public var modelType: String?
    public var sourceRunID: String?
    public var params: [KeyValue]
    public var tags: [KeyValue]

    public init(experimentID: String, name: String?, modelType: String?, sourceRunID: String?, params: [KeyValue], tags: [KeyValue]) {
        self.experimentID = experimentID
        self.name = name
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.params = params
        self.tags = tags
    }
}

/// One `order_by` entry of a logged-model search (structured, unlike run search).
public struct LoggedModelOrder: Sendable {
    public var fieldName: String
    public var ascending: Bool

    public init(fieldName: String, ascending: Bool) {
        self.fieldName = fieldName
        self.ascending = ascending
    }
}

extension TrackingService {
    public func createLoggedModel(_ request: CreateLoggedModelRequest) async throws -> LoggedModel {
        let name = request.name.flatMap { $0.isEmpty ? nil : $0 } ?? RunNameGenerator.make()
        if name.contains(where: { "/:.%\"'".contains($0) }) {
            throw CairnError.invalidParameter("Invalid model name ('\(name)') provided. Model name must not contain any of the following characters: ['/', ':', '.', '%', '\"', \"'\"]")
        }
        for pair in request.params + request.tags { try TrackingValidation.validateKey(pair.key) }
        let modelID = "m-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let now = Clock.nowMillis()
        return try await database.write { db in
            let experiment = try await Self.requireExperiment(id: request.experimentID, on: db)
            try Self.requireActive(experiment)
            if let runID = request.sourceRunID, !runID.isEmpty { _ = try await Self.requireRun(runID, on: db) }
            let model = LoggedModel(
                modelID: modelID, experimentID: experiment.experimentID, name: name,
                artifactURI: "\(experiment.artifactLocation)/models/\(modelID)/artifacts",
                creationTimestamp: now, lastUpdatedTimestamp: now, status: .pending, statusMessage: nil,
                modelType: request.modelType, sourceRunID: request.sourceRunID.flatMap { $0.isEmpty ? nil : $0 },
                lifecycleStage: .active, tags: request.tags, params: request.params, metrics: [])
            try await LoggedModelStore.insert(model, on: db)
            return try await LoggedModelStore.get(modelID, on: db)!
        }
    }

    public func getLoggedModel(id: String, allowDeleted: Bool = false) async throws -> LoggedModel {
        try await database.read { db in try await Self.requireLoggedModel(id, allowDeleted: allowDeleted, on: db) }
    }

    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        try await database.write { db in
            _ = try await Self.requireLoggedModel(id, on: db)
            try await LoggedModelStore.update(id, status: status, now: Clock.nowMillis(), on: db)
            return try await LoggedModelStore.get(id, on: db)!
        }
    }

    public func deleteLoggedModel(id: String) async throws {
        try await database.write { db in
            _ = try await Self.requireLoggedModel(id, on: db)
            try await LoggedModelStore.update(id, lifecycleStage: .deleted, now: Clock.nowMillis(), on: db)
        }
    }

    public func setLoggedModelTags(id: String, tags: [KeyValue]) async throws -> LoggedModel {
        for tag in tags { try TrackingValidation.validateKey(tag.key) }
        return try await database.write { db in
            _ = try await Self.requireLoggedModel(id, on: db)
            try await LoggedModelStore.setTags(tags, modelID: id, on: db)
            return try await LoggedModelStore.get(id, on: db)!
        }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await database.write { db in
            _ = try await Self.requireLoggedModel(id, on: db)
            guard try await LoggedModelStore.deleteTag(key, modelID: id, on: db) else {
                throw CairnError.notFound("No tag with key '\(key)' found for logged model with ID '\(id)'.")
            }
        }
    }

    public func logLoggedModelParams(id: String, params: [KeyValue]) async throws {
        for param in params { try TrackingValidation.validateKey(param.key) }
        try await database.write { db in
            _ = try await Self.requireLoggedModel(id, on: db)
            try await LoggedModelStore.setParams(params, modelID: id, on: db)
        }
    }

    public func searchLoggedModels(experimentIDs: [String], filter: String?, orderBy: [LoggedModelOrder],
                                   maxResults: Int64?, pageToken: String?) async throws -> Page<LoggedModel> {
        let limit = Int(maxResults ?? 50)
        guard limit >= 1, limit <= 1000 else {
            throw CairnError.invalidParameter("Invalid value \(limit) for parameter 'max_results' supplied. It must be between 1 and 1000.")
        }
        let offset = try PageToken.offset(from: pageToken)
        let query = try LoggedModelSearchQuery.sql(
            experimentIDs: experimentIDs, filter: try FilterParser.parse(filter, rules: .loggedModels),
            orderBy: orderBy, limit: limit, offset: offset)
        let models = try await database.read { db in
            try await LoggedModelStore.load(try await db.raw(query).all(), on: db)
        }
        return Page(fetched: models, offset: offset, limit: limit)
    }

    static func requireLoggedModel(_ id: String, allowDeleted: Bool = false, on db: any SQLDatabase) async throws -> LoggedModel {
        guard let model = try await LoggedModelStore.get(id, on: db), allowDeleted || model.lifecycleStage == .active else {
            throw CairnError.notFound("Logged model with ID '\(id)' not found.")
        }
        return model
    }
}
