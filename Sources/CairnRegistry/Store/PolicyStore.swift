import CairnCore
import Foundation
import SQLKit

/// SQL for promotion policies, transition requests and their reviews.
enum PolicyStore {
    static func upsert(_ policy: PromotionPolicy, modelID: String, on db: any SQLDatabase) async throws {
        let document = String(decoding: try JSONEncoder().encode(
            PolicyDocument(rules: policy.rules, required_approvals: policy.requiredApprovals)), as: UTF8.self)
        try await db.insert(into: "promotion_policies").columns("model_id", "target", "rules", "updated_by", "updated_at")
            .values([modelID, policy.target.key, document, policy.updatedBy, policy.updatedAt] as [any Encodable & Sendable])
            .onConflict(with: ["model_id", "target"]) {
                $0.set(excludedValueOf: "rules").set(excludedValueOf: "updated_by").set(excludedValueOf: "updated_at")
            }
            .run()
    }

    static func list(modelID: String, modelName: String, on db: any SQLDatabase) async throws -> [PromotionPolicy] {
        try await db.raw("""
            SELECT target, rules, updated_by, updated_at FROM promotion_policies WHERE model_id = \(bind: modelID) ORDER BY target
            """).all().map { try decodePolicy($0, modelName: modelName) }
    }

    static func get(_ target: PromotionTarget, modelID: String, modelName: String, on db: any SQLDatabase) async throws -> PromotionPolicy? {
        try await db.raw("""
            SELECT target, rules, updated_by, updated_at FROM promotion_policies
            WHERE model_id = \(bind: modelID) AND target = \(bind: target.key)
            """).first().map { try decodePolicy($0, modelName: modelName) }
    }

    static func delete(_ target: PromotionTarget, modelID: String, on db: any SQLDatabase) async throws -> Bool {
        !(try await db.raw("""
            DELETE FROM promotion_policies WHERE model_id = \(bind: modelID) AND target = \(bind: target.key) RETURNING target
            """).all()).isEmpty
    }

    private static func decodePolicy(_ row: any SQLRow, modelName: String) throws -> PromotionPolicy {
        let document = try JSONDecoder().decode(PolicyDocument.self, from: Data(try row.decode(column: "rules", as: String.self).utf8))
        return PromotionPolicy(
            modelName: modelName, target: try PromotionTarget(key: try row.decode(column: "target", as: String.self)),
            rules: document.rules, requiredApprovals: document.required_approvals,
            updatedBy: try row.decode(column: "updated_by", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    // MARK: - Transition requests

    static func insert(_ request: TransitionRequest, modelID: String, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO transition_requests (id, model_id, version, target, status, requested_by, comment, created_at, updated_at)
            VALUES (\(bind: request.id), \(bind: modelID), \(bind: request.version), \(bind: request.target.key),
                \(bind: request.status.rawValue), \(bind: request.requestedBy), \(bind: request.comment),
                \(bind: request.createdAt), \(bind: request.updatedAt))
            """).run()
    }

    static let requestColumns = "t.id, t.model_id, r.name, t.version, t.target, t.status, t.requested_by, t.comment, t.created_at, t.updated_at"

    static func request(id: String, on db: any SQLDatabase) async throws -> (modelID: String, request: TransitionRequest)? {
        let rows = try await db.raw("""
            SELECT \(unsafeRaw: requestColumns) FROM transition_requests t JOIN registered_models r ON r.id = t.model_id
            WHERE t.id = \(bind: id)
            """).all()
        guard let row = rows.first else { return nil }
        return (try row.decode(column: "model_id", as: String.self), try await loadRequests([row], on: db)[0])
    }

    /// Requests of one model, optionally only one version's or one status's, newest first.
    static func requests(modelID: String, version: Int64?, status: TransitionRequest.Status?, on db: any SQLDatabase) async throws -> [TransitionRequest] {
        var query: SQLQueryString = """
            SELECT \(unsafeRaw: requestColumns) FROM transition_requests t JOIN registered_models r ON r.id = t.model_id
            WHERE t.model_id = \(bind: modelID)
            """
        if let version { query = query + " AND t.version = \(bind: version)" }
        if let status { query = query + " AND t.status = \(bind: status.rawValue)" }
        return try await loadRequests(try await db.raw(query + " ORDER BY t.created_at DESC, t.id").all(), on: db)
    }

    /// The pending request for this version and target, if one is open.
    static func pendingRequest(modelID: String, version: Int64, target: PromotionTarget, on db: any SQLDatabase) async throws -> TransitionRequest? {
        try await loadRequests(try await db.raw("""
            SELECT \(unsafeRaw: requestColumns) FROM transition_requests t JOIN registered_models r ON r.id = t.model_id
            WHERE t.model_id = \(bind: modelID) AND t.version = \(bind: version) AND t.target = \(bind: target.key)
              AND t.status = 'pending'
            """).all(), on: db).first
    }

    static func setStatus(_ status: TransitionRequest.Status, requestID: String, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE transition_requests SET status = \(bind: status.rawValue), updated_at = \(bind: now) WHERE id = \(bind: requestID)
            """).run()
    }

    static func addReview(_ review: TransitionRequest.Review, requestID: String, on db: any SQLDatabase) async throws {
        try await db.insert(into: "transition_request_reviews").columns("request_id", "reviewer", "decision", "comment", "created_at")
            .values([requestID, review.reviewer, review.approved ? "approve" : "reject", review.comment, review.createdAt] as [any Encodable & Sendable])
            .onConflict(with: ["request_id", "reviewer"]) {
                $0.set(excludedValueOf: "decision").set(excludedValueOf: "comment").set(excludedValueOf: "created_at")
            }
            .run()
    }

    private static func loadRequests(_ rows: [any SQLRow], on db: any SQLDatabase) async throws -> [TransitionRequest] {
        guard !rows.isEmpty else { return [] }
        var requests = try rows.map { row in
            TransitionRequest(
                id: try row.decode(column: "id", as: String.self), modelName: try row.decode(column: "name", as: String.self),
                version: try row.decode(column: "version", as: Int64.self),
                target: try PromotionTarget(key: try row.decode(column: "target", as: String.self)),
                status: TransitionRequest.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
                requestedBy: try row.decode(column: "requested_by", as: String.self),
                comment: try row.decode(column: "comment", as: String?.self),
                createdAt: try row.decode(column: "created_at", as: Int64.self),
                updatedAt: try row.decode(column: "updated_at", as: Int64.self), reviews: [])
        }
        var reviews: [String: [TransitionRequest.Review]] = [:]
        for row in try await db.raw("""
            SELECT request_id, reviewer, decision, comment, created_at FROM transition_request_reviews
            WHERE request_id IN (\(binds: requests.map(\.id))) ORDER BY created_at, reviewer
            """).all() {
            reviews[try row.decode(column: "request_id", as: String.self), default: []].append(TransitionRequest.Review(
                reviewer: try row.decode(column: "reviewer", as: String.self),
                approved: try row.decode(column: "decision", as: String.self) == "approve",
                comment: try row.decode(column: "comment", as: String?.self),
                createdAt: try row.decode(column: "created_at", as: Int64.self)))
        }
        for index in requests.indices { requests[index].reviews = reviews[requests[index].id] ?? [] }
        return requests
    }
}
