import CairnCore
import CairnStorage
import SQLKit

extension TrackingService {
    public func createExperiment(name: String, artifactLocation: String?, tags: [KeyValue]) async throws -> String {
        try TrackingValidation.validateExperimentName(name)
        for tag in tags { try TrackingValidation.validateExperimentTag(tag) }
        if let artifactLocation, artifactLocation.count > TrackingLimits.maxArtifactLocationLength {
            throw CairnError.invalidParameter("Invalid artifact path length. The length of the artifact path cannot be greater than \(TrackingLimits.maxArtifactLocationLength) characters.")
        }
        let now = Clock.nowMillis()
        return try await database.write { db in
            try await database.lockForAllocation(db, key: Self.experimentIDLock)
            if try await ExperimentStore.get(name: name, on: db) != nil {
                throw CairnError.alreadyExists("Experiment(name=\(name)) already exists. Error: experiment names must be unique (active or deleted).")
            }
            let id = String(try await ExperimentStore.nextID(on: db))
            let location = artifactLocation.flatMap { $0.isEmpty ? nil : $0 } ?? Self.artifactRoot + id
            try await ExperimentStore.insert(Experiment(
                experimentID: id, name: name, artifactLocation: location, lifecycleStage: .active,
                creationTime: now, lastUpdateTime: now, tags: tags), on: db)
            return id
        }
    }

    public func getExperiment(id: String) async throws -> Experiment {
        try await database.read { db in try await Self.requireExperiment(id: id, on: db) }
    }

    public func getExperiment(name: String) async throws -> Experiment {
        guard let experiment = try await database.read({ db in try await ExperimentStore.get(name: name, on: db) }) else {
            throw CairnError.notFound("Could not find experiment with name '\(name)'")
        }
        return experiment
    }

    public func searchExperiments(filter: String?, orderBy: [String], viewType: ViewType, maxResults: Int64?, pageToken: String?) async throws -> Page<Experiment> {
        let limit = Int(maxResults ?? Int64(TrackingLimits.maxExperimentSearchResults))
        guard limit >= 1, limit <= TrackingLimits.maxExperimentSearchResults else {
            throw CairnError.invalidParameter("Invalid value \(limit) for parameter 'max_results' supplied. It must be at most \(TrackingLimits.maxExperimentSearchResults), but got value \(limit)")
        }
        let offset = try PageToken.offset(from: pageToken)
        let request = ExperimentSearchRequest(
            filter: try FilterParser.parse(filter, rules: .experiments),
            orderBy: try OrderByParser.parse(orderBy, rules: .experiments),
            viewType: viewType, maxResults: limit, offset: offset)
        let query = try ExperimentSearchQuery.sql(request)
        let experiments = try await database.read { db in
            try await ExperimentStore.withTags(try await db.raw(query).all(), on: db)
        }
        return Page(fetched: experiments, offset: offset, limit: limit)
    }

    public func renameExperiment(id: String, newName: String) async throws {
        try TrackingValidation.validateExperimentName(newName)
        try await database.write { db in
            let experiment = try await Self.requireExperiment(id: id, on: db)
            guard experiment.lifecycleStage == .active else {
                throw CairnError.invalidState("Cannot rename a non-active experiment.")
            }
            if let other = try await ExperimentStore.get(name: newName, on: db), other.experimentID != id {
                throw CairnError.alreadyExists("Experiment(name=\(newName)) already exists. Error: experiment names must be unique (active or deleted).")
            }
            try await ExperimentStore.update(id: Int64(id)!, name: newName, now: Clock.nowMillis(), on: db)
        }
    }

    /// Soft-deletes the experiment and its runs.
    public func deleteExperiment(id: String) async throws {
        try await setExperimentLifecycle(id: id, to: .deleted)
    }

    /// Restores a deleted experiment and its runs.
    public func restoreExperiment(id: String) async throws {
        try await setExperimentLifecycle(id: id, to: .active)
    }

    private func setExperimentLifecycle(id: String, to stage: LifecycleStage) async throws {
        if id == Self.defaultExperimentID && stage == .deleted {
            throw CairnError.invalidParameter("Cannot delete the default experiment '0'. This is an internally reserved experiment.")
        }
        try await database.write { db in
            let experiment = try await Self.requireExperiment(id: id, on: db)
            if stage == .active && experiment.lifecycleStage == .active {
                throw CairnError.invalidParameter("Cannot restore an active experiment.")
            }
            let now = Clock.nowMillis()
            try await ExperimentStore.update(id: Int64(id)!, lifecycleStage: stage, now: now, on: db)
            try await RunStore.setLifecycle(stage, experimentID: Int64(id)!, now: now, on: db)
        }
    }

    public func setExperimentTag(id: String, tag: KeyValue) async throws {
        try TrackingValidation.validateExperimentTag(tag)
        try await database.write { db in
            let experiment = try await Self.requireExperiment(id: id, on: db)
            try Self.requireActive(experiment)
            try await ExperimentStore.setTags([tag], experimentID: Int64(id)!, on: db)
        }
    }

    public func deleteExperimentTag(id: String, key: String) async throws {
        try await database.write { db in
            let experiment = try await Self.requireExperiment(id: id, on: db)
            try Self.requireActive(experiment)
            guard try await ExperimentStore.deleteTag(key: key, experimentID: Int64(id)!, on: db) else {
                throw CairnError.notFound("No tag with name: \(key) in experiment with id \(id)")
            }
        }
    }

    static func requireExperiment(id: String, on db: any SQLDatabase) async throws -> Experiment {
        guard Int64(id) != nil else {
            throw CairnError.invalidParameter("Invalid experiment ID '\(id)'. Experiment ID must be a valid integer.")
        }
        guard let experiment = try await ExperimentStore.get(id: id, on: db) else {
            throw CairnError.notFound("No Experiment with id=\(id) exists")
        }
        return experiment
    }

    static func requireActive(_ experiment: Experiment) throws {
        guard experiment.lifecycleStage == .active else {
            throw CairnError.invalidParameter("The experiment \(experiment.experimentID) must be in the 'active' state. Current state is \(experiment.lifecycleStage.rawValue).")
        }
    }
}
