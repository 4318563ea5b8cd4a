import CairnCore
import CairnStorage
import CairnTracking
import SQLKit

extension RegistryService {
    /// MLflow's stage transition, plus Cairn's rules: a policy on the stage must be met, and a model
    /// has at most one Production version. Promoting to Production while another version is there
    /// needs `archiveExisting`; the database's unique index backs this up when promotions race.
    public func transitionStage(name: String, version: Int64, stage: ModelStage, archiveExisting: Bool, user: String) async throws -> ModelVersion {
        if archiveExisting, stage != .staging, stage != .production {
            throw CairnError.invalidParameter("Model version transition cannot archive existing model versions because '\(stage.rawValue)' is not an Active stage. Valid stages are Staging and Production.")
        }
        return try await promote(name: name, version: version, to: .stage(stage), archiveExisting: archiveExisting, user: user)
    }

    /// Points `alias` at `version`, if the alias's policy (if any) allows it.
    public func setAlias(name: String, alias: String, version: Int64, user: String) async throws {
        try RegistryValidation.validateAlias(alias)
        _ = try await promote(name: name, version: version, to: .alias(alias), archiveExisting: false, user: user)
    }

    public func deleteAlias(name: String, alias: String, user: String) async throws {
        try await database.write { db in
            let modelID = try await Self.lockModel(name, now: Clock.nowMillis(), on: db)
            guard let previous = try await RegisteredModelStore.aliasVersion(alias, modelID: modelID, on: db) else { return }
            try await RegisteredModelStore.deleteAlias(alias, modelID: modelID, on: db)
            try await record("model_version.alias_changed", name: name, version: previous,
                             payload: AliasChanged(name: name, alias: alias, from_version: previous, to_version: nil), actor: user, on: db)
        }
    }

    /// The version an alias points at; `latest` (when not set explicitly) is the highest version.
    public func version(name: String, alias: String) async throws -> ModelVersion {
        try await database.read { db in
            let model = try await Self.requireModel(name, on: db)
            if let number = try await RegisteredModelStore.aliasVersion(alias, modelID: model.id, on: db) {
                return try await Self.requireVersion(modelID: model.id, name: name, version: number, on: db)
            }
            if alias.lowercased() == "latest", let newest = model.latestVersions.max(by: { $0.version < $1.version }) {
                return newest
            }
            throw CairnError.invalidParameter("Registered model alias \(alias) not found.")
        }
    }

    /// The newest version in each of `stages` (every stage when empty), in MLflow's stage order.
    public func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        let wanted = try stages.isEmpty ? ModelStage.visible : stages.map { text in
            guard let stage = ModelStage(clientName: text) else { throw Self.invalidStage(text) }
            return stage
        }
        let model = try await getRegisteredModel(name: name)
        return wanted.compactMap { stage in model.latestVersions.first { $0.stage == stage } }
    }

    static func invalidStage(_ text: String) -> CairnError {
        CairnError.invalidParameter("Invalid Model Version stage: \(text). Value must be one of None, Staging, Production, Archived.")
    }

    /// Moves a version into a stage or alias once every rule of the target's policy holds, records
    /// the change as events, and closes a pending transition request for it. A refusal names every
    /// unmet rule, is itself recorded, and changes nothing else.
    func promote(name: String, version: Int64, to target: PromotionTarget, archiveExisting: Bool, user: String) async throws -> ModelVersion {
        let metrics = try await sourceMetrics(name: name, version: version)
        do {
            return try await database.write { db in
                let now = Clock.nowMillis()
                let modelID = try await Self.lockModel(name, now: now, on: db)
                let current = try await Self.requireVersion(modelID: modelID, name: name, version: version, on: db)
                let pending = try await PolicyStore.pendingRequest(modelID: modelID, version: version, target: target, on: db)
                let unmet = try await Self.unmetRules(of: current, target: target, pending: pending, metrics: metrics, on: db)
                if !unmet.isEmpty { throw PromotionRefusal(target: target, unmet: unmet) }
                switch target {
                case .stage(let stage):
                    try await moveStage(current, to: stage, archiveExisting: archiveExisting, now: now, user: user, on: db)
                case .alias(let alias):
                    let previous = try await RegisteredModelStore.aliasVersion(alias, modelID: modelID, on: db)
                    try await RegisteredModelStore.setAlias(alias, version: version, modelID: modelID, on: db)
                    try await record("model_version.alias_changed", name: name, version: version,
                                     payload: AliasChanged(name: name, alias: alias, from_version: previous, to_version: version), actor: user, on: db)
                }
                if let pending {
                    try await PolicyStore.setStatus(.applied, requestID: pending.id, now: now, on: db)
                }
                return try await Self.requireVersion(modelID: modelID, name: name, version: version, on: db)
            }
        } catch let refusal as PromotionRefusal {
            let error = CairnError(.permissionDenied,
                                   "Promotion of version \(version) of model '\(name)' to \(target.description) is refused by its policy. Unmet rules: "
                                       + refusal.unmet.joined(separator: "; "))
            try await database.write { db in
                try await record("model_version.promotion_refused", name: name, version: version,
                                 payload: PromotionRefused(name: name, version: version, target: target.key, unmet_rules: refusal.unmet), actor: user, on: db)
            }
            throw error
        }
    }

    private func moveStage(_ current: ModelVersion, to stage: ModelStage, archiveExisting: Bool, now: Int64, user: String, on db: any SQLDatabase) async throws {
        let others = try await ModelVersionStore.inStage(stage, modelID: current.modelID, on: db).filter { $0.version != current.version }
        if stage == .production, !archiveExisting, let holder = others.first {
            throw CairnError(.resourceConflict,
                             "Version \(holder.version) of model '\(current.name)' is already in Production, and a model has at most one Production version. Transition with archive_existing_versions=true to archive it.")
        }
        if archiveExisting {
            for other in others {
                try await ModelVersionStore.setStage(.archived, modelID: current.modelID, version: other.version, now: now, on: db)
                try await record("model_version.stage_changed", name: current.name, version: other.version, payload: StageChanged(
                    name: current.name, version: other.version, from: stage.rawValue, to: ModelStage.archived.rawValue,
                    reason: "archived when version \(current.version) entered \(stage.rawValue)"), actor: user, on: db)
            }
        }
        try await ModelVersionStore.setStage(stage, modelID: current.modelID, version: current.version, now: now, on: db)
        try await record("model_version.stage_changed", name: current.name, version: current.version, payload: StageChanged(
            name: current.name, version: current.version, from: current.stage.rawValue, to: stage.rawValue, reason: nil), actor: user, on: db)
    }

    /// What still stands between a version and `target` under the target's policy (none: no policy).
    public func unmetRules(name: String, version: Int64, target: PromotionTarget) async throws -> [String] {
        let metrics = try await sourceMetrics(name: name, version: version)
        return try await database.read { db in
            let model = try await Self.requireModel(name, on: db)
            let current = try await Self.requireVersion(modelID: model.id, name: name, version: version, on: db)
            let pending = try await PolicyStore.pendingRequest(modelID: model.id, version: version, target: target, on: db)
            return try await Self.unmetRules(of: current, target: target, pending: pending, metrics: metrics, on: db)
        }
    }

    /// The rules of `target`'s policy that `current` does not meet (none without a policy). Approvals
    /// are those on the pending request, not counting its requester's own.
    static func unmetRules(of current: ModelVersion, target: PromotionTarget, pending: TransitionRequest?, metrics: [String: Double]?,
                           on db: any SQLDatabase) async throws -> [String] {
        guard let policy = try await PolicyStore.get(target, modelID: current.modelID, modelName: current.name, on: db) else { return [] }
        let approvers = pending.map { $0.approvers.subtracting([$0.requestedBy]) } ?? []
        return try PolicyEvaluator.unmetRules(of: policy, version: current, metrics: metrics, approvers: approvers)
    }

    /// The latest metric values of the version's source run; nil when it has none.
    func sourceMetrics(name: String, version: Int64) async throws -> [String: Double]? {
        let found = try await getModelVersion(name: name, version: version)
        guard let runID = found.runID, let run = try? await tracking.getRun(id: runID) else { return nil }
        return Dictionary(run.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    struct PromotionRefusal: Error {
        let target: PromotionTarget
        let unmet: [String]
    }

    struct StageChanged: Encodable {
        let name: String
        let version: Int64
        let from: String
        let to: String
        let reason: String?
    }

    struct AliasChanged: Encodable {
        let name: String
        let alias: String
        let from_version: Int64?
        let to_version: Int64?
    }

    struct PromotionRefused: Encodable {
        let name: String
        let version: Int64
        let target: String
        let unmet_rules: [String]
    }
}
