import CairnCore
import CairnStorage
import Foundation
import Logging

/// Starts pipelines by themselves: on their cron `schedule` (missed times while the server was
/// down fire once, not once per miss, like Airflow without catch-up), and on outbox events named
/// in `triggers` (e.g. `model_version.created`). An event-started run gets the trigger's params,
/// plus `model_name` and `model_version` from a model event when the pipeline declares them.
/// A position is saved after its run is submitted, so a crash in between can start one run twice
/// but never loses a trigger.
actor PipelineTriggers {
    let database: Database
    let logger: Logger
    private var loop: Task<Void, Never>?

    init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    func start(service: PipelineService, interval: Duration) {
        guard loop == nil else { return }
        loop = Task {
            while !Task.isCancelled {
                await self.check(service)
                try? await Task.sleep(for: interval)
            }
        }
    }

    func stop() {
        loop?.cancel()
        loop = nil
    }

    func check(_ service: PipelineService) async {
        let positions: [TriggerStore.Position]
        do {
            positions = try await database.read { try await TriggerStore.positions(on: $0) }
        } catch {
            logger.error("pipeline triggers: \(error)")
            return
        }
        for position in positions {
            do {
                try await check(position, service: service)
            } catch {
                logger.error("pipeline triggers of \(position.pipelineName): \(error)")
            }
        }
    }

    /// Fires one pipeline's due schedule and new events. A run that cannot be submitted is
    /// logged and its trigger passed over, so one bad trigger neither blocks the others nor
    /// fires again every second.
    private func check(_ start: TriggerStore.Position, service: PipelineService) async throws {
        var position = start
        let pipeline = try await service.pipeline(name: position.pipelineName)
        guard let spec = try? PipelineSpecParser.parse(yaml: pipeline.specYAML) else { return }
        let now = Clock.nowMillis()
        if let schedule = spec.schedule, let cron = try? CronSchedule(schedule),
           let due = cron.next(after: Date(timeIntervalSince1970: Double(position.lastScheduledAt) / 1000)),
           Int64(due.timeIntervalSince1970 * 1000) <= now {
            do {
                let run = try await service.submit(pipeline: spec.name, params: [:], user: "", triggeredBy: "schedule")
                logger.info("started pipeline \(spec.name) on its schedule (\(schedule)): run \(run.runID)")
            } catch {
                logger.error("pipeline \(spec.name): its scheduled run could not start: \(error)")
            }
            position.lastScheduledAt = now
            try await database.write { [position] db in try await TriggerStore.save(position, on: db) }
        }
        let types = Array(Set(spec.triggers.map(\.event)))
        let cursor = position.eventCursor
        let events = try await database.read { db in
            try await EventOutbox.list(after: cursor, types: types.isEmpty ? ["-"] : types, limit: 100, on: db)
        }
        for event in events {
            for trigger in spec.triggers where trigger.event == event.type {
                do {
                    let run = try await service.submit(pipeline: spec.name, params: Self.params(for: event, trigger: trigger, spec: spec),
                                                       user: event.actor, triggeredBy: "event \(event.type) #\(event.id)")
                    logger.info("started pipeline \(spec.name) on event \(event.type) #\(event.id): run \(run.runID)")
                } catch {
                    logger.error("pipeline \(spec.name): the run for event \(event.type) #\(event.id) could not start: \(error)")
                }
            }
            position.eventCursor = event.id
            try await database.write { [position] db in try await TriggerStore.save(position, on: db) }
        }
    }

    static func params(for event: Event, trigger: TriggerSpec, spec: PipelineSpec) -> [String: ExpressionValue] {
        var params = trigger.params.mapValues(ExpressionValue.string)
        // models/<name>/versions/<n>
        let parts = event.subject.split(separator: "/").map(String.init)
        if parts.count == 4, parts[0] == "models", parts[2] == "versions" {
            if spec.param(named: "model_name") != nil, params["model_name"] == nil { params["model_name"] = .string(parts[1]) }
            if spec.param(named: "model_version") != nil, params["model_version"] == nil { params["model_version"] = .string(parts[3]) }
        }
        return params
    }
}
