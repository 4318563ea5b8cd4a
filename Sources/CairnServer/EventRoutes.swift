import CairnCore
import CairnHTTP
import CairnStorage
import Hummingbird

/// `GET /api/v1/events`: the outbox, oldest first, for audit and for consumers that poll with a
/// cursor (`after` = the last id seen).
struct EventRoutes<Context: RequestContext>: Sendable {
    let database: Database

    func register(on routes: APIRoutes<Context>) {
        routes.json(.get, path: "/events") { fields, _, _ in
            let limit = Int(try fields.int64("max_results") ?? 1000)
            guard (1...10_000).contains(limit) else {
                throw CairnError.invalidParameter("Invalid value \(limit) for parameter 'max_results': it must be between 1 and 10000.")
            }
            let after = try fields.int64("after") ?? 0
            let types = try fields.strings("type")
            let subject = try fields.string("subject")
            let events = try await database.read { db in
                try await EventOutbox.list(after: after, types: types, subject: subject, limit: limit, on: db)
            }
            return EventsOutput(events: events.map(EventDTO.init), last_id: events.last?.id ?? after)
        }
    }

    struct EventsOutput: Encodable, Sendable {
        let events: [EventDTO]
        /// The cursor to pass as `after` next time.
        let last_id: Int64
    }

    struct EventDTO: Encodable, Sendable {
        let id: Int64
        let type: String
        let subject: String
        let actor: String
        let created_at: Int64
        let payload: JSONValue

        init(_ event: Event) {
            id = event.id
            type = event.type
            subject = event.subject
            actor = event.actor
            created_at = event.createdAt
            payload = (try? JSONValue.parse(Array(event.payloadJSON.utf8))) ?? .string(event.payloadJSON)
        }
    }
}
