import CairnCore
import CairnStorage
import SQLKit

extension RegistryService {
    /// Opens a request to promote a version; one pending request per version and target.
    public func requestTransition(name: String, version: Int64, target: PromotionTarget, comment: String?, user: String) async throws -> TransitionRequest {
        if case .alias(let alias) = target { try RegistryValidation.validateAlias(alias) }
        let now = Clock.nowMillis()
        return try await database.write { db in
            let modelID = try await Self.lockModel(name, now: now, on: db)
            _ = try await Self.requireVersion(modelID: modelID, name: name, version: version, on: db)
            if let open = try await PolicyStore.pendingRequest(modelID: modelID, version: version, target: target, on: db) {
                throw CairnError.alreadyExists("A pending request (\(open.id)) already asks to move version \(version) of model '\(name)' to \(target.description).")
            }
            let request = TransitionRequest(
                id: Self.newID(), modelName: name, version: version, target: target, status: .pending, requestedBy: user,
                comment: comment, createdAt: now, updatedAt: now, reviews: [])
            try await PolicyStore.insert(request, modelID: modelID, on: db)
            try await record("transition_request.created", name: name, version: version,
                             payload: RequestEvent(request_id: request.id, name: name, version: version, target: target.key, comment: comment),
                             actor: user, on: db)
            return request
        }
    }

    public func transitionRequest(id: String) async throws -> TransitionRequest {
        try await database.read { db in try await Self.requireRequest(id, on: db).request }
    }

    public func transitionRequests(name: String, version: Int64?, status: TransitionRequest.Status?) async throws -> [TransitionRequest] {
        try await database.read { db in
            let model = try await Self.requireModel(name, on: db)
            return try await PolicyStore.requests(modelID: model.id, version: version, status: status, on: db)
        }
    }

    /// Records `user`'s approval or rejection. A rejection closes the request. An approval that
    /// completes the policy carries the promotion out (to Production, archiving the version there);
    /// if other rules still fail, the request stays pending with the approval kept.
    public func review(requestID: String, approve: Bool, comment: String?, user: String) async throws -> TransitionRequest {
        guard !user.isEmpty else {
            throw CairnError.invalidParameter("A review needs a reviewer: send the X-Cairn-User header (the CLI's --user).")
        }
        let now = Clock.nowMillis()
        let request = try await database.write { db in
            let request = try await Self.requireRequest(requestID, on: db).request
            _ = try await Self.lockModel(request.modelName, now: now, on: db)
            guard request.status == .pending else {
                throw CairnError(.resourceConflict, "Transition request \(requestID) is \(request.status.rawValue), not pending.")
            }
            if approve, user == request.requestedBy {
                throw CairnError(.permissionDenied, "\(user) opened transition request \(requestID) and cannot approve it; approvals must come from other users.")
            }
            try await PolicyStore.addReview(.init(reviewer: user, approved: approve, comment: comment, createdAt: now), requestID: requestID, on: db)
            if !approve { try await PolicyStore.setStatus(.rejected, requestID: requestID, now: now, on: db) }
            try await record(approve ? "transition_request.approved" : "transition_request.rejected", name: request.modelName,
                             version: request.version, payload: RequestEvent(request_id: requestID, name: request.modelName,
                                                                             version: request.version, target: request.target.key, comment: comment),
                             actor: user, on: db)
            return request
        }
        if approve, try await unmetRules(name: request.modelName, version: request.version, target: request.target).isEmpty {
            let archive = request.target == .stage(.production) || request.target == .stage(.staging)
            _ = try await promote(name: request.modelName, version: request.version, to: request.target, archiveExisting: archive, user: user)
        }
        return try await transitionRequest(id: requestID)
    }

    static func requireRequest(_ id: String, on db: any SQLDatabase) async throws -> (modelID: String, request: TransitionRequest) {
        guard let found = try await PolicyStore.request(id: id, on: db) else {
            throw CairnError.notFound("Transition request \(id) not found.")
        }
        return found
    }

    struct RequestEvent: Encodable {
        let request_id: String
        let name: String
        let version: Int64
        let target: String
        let comment: String?
    }
}
