import CairnCore
import CairnMonitoring
import Foundation

/// Monitors and alerts: each deployment's rules, checked on their schedules over recent traffic
/// (error rate and latency from the gateway's windows; drift and online accuracy from the
/// prediction log), firing alerts that are told once to their channels, resolved with a notice,
/// and acting: a rollback, or a retraining pipeline run.
extension DeploymentService {
    static let monitorInterval = Duration.seconds(1)

    public func setPipelineLauncher(_ launcher: any PipelineLauncher) {
        pipelineLauncher = launcher
    }

    public func addMonitor(_ rule: MonitorRule, deployment name: String) async throws {
        _ = try await deployment(name: name)
        for case .runPipeline(let pipeline, _) in rule.actions {
            guard let pipelineLauncher else { throw CairnError.invalidParameter("This server cannot start pipelines, so a monitor cannot run '\(pipeline)'.") }
            try await pipelineLauncher.checkExists(pipeline: pipeline)
        }
        let database = self.database
        try await database.write { db in
            guard try await MonitorStore.monitors(deployment: name, on: db).allSatisfy({ $0.rule.name != rule.name }) else {
                throw CairnError.alreadyExists("Deployment '\(name)' already has a monitor named '\(rule.name)'.")
            }
            try await MonitorStore.insert(rule, deployment: name, at: Clock.nowMillis(), on: db)
        }
    }

    public func monitors(deployment name: String) async throws -> [MonitorRule] {
        _ = try await deployment(name: name)
        let database = self.database
        return try await database.read { db in try await MonitorStore.monitors(deployment: name, on: db) }.map(\.rule)
    }

    /// Deletes the monitor; an alert of it still firing is resolved (and told so).
    public func deleteMonitor(_ monitor: String, deployment name: String) async throws {
        let database = self.database
        let rule = try await database.read { db in try await MonitorStore.monitors(deployment: name, on: db) }.first { $0.rule.name == monitor }?.rule
        guard let rule, try await database.write({ db in try await MonitorStore.delete(deployment: name, name: monitor, on: db) }) else {
            throw CairnError.notFound("Deployment '\(name)' has no monitor named '\(monitor)'.")
        }
        for alert in try await resolveFiring(deployment: name, monitor: monitor, why: "the monitor was deleted") {
            notifier.notify(alert, channels: rule.channels)
        }
        alertTrackers["\(name)/\(monitor)"] = nil
        lastChecks["\(name)/\(monitor)"] = nil
    }

    /// Alerts of `name` (every deployment's with nil), newest first.
    public func alerts(deployment name: String?, firingOnly: Bool, limit: Int) async throws -> [Alert] {
        if let name { _ = try await deployment(name: name) }
        guard (1...1000).contains(limit) else { throw CairnError.invalidParameter("limit is between 1 and 1000 (got \(limit)).") }
        let database = self.database
        return try await database.read { db in try await MonitorStore.alerts(deployment: name, firingOnly: firingOnly, limit: limit, on: db) }
    }

    /// Marks the firing alerts of a deployment (of one monitor, if named) resolved; answers them.
    func resolveFiring(deployment name: String, monitor: String?, why: String) async throws -> [Alert] {
        let database = self.database
        return try await database.write { db in
            var resolved: [Alert] = []
            for var alert in try await MonitorStore.alerts(deployment: name, firingOnly: true, limit: 1000, on: db) where monitor == nil || alert.monitor == monitor {
                alert.state = .resolved
                alert.resolvedAt = Clock.nowMillis()
                alert.resolution = why
                try await MonitorStore.save(alert, on: db)
                resolved.append(alert)
            }
            return resolved
        }
    }

    func forgetMonitors(of name: String) {
        for key in alertTrackers.keys where key.hasPrefix(name + "/") { alertTrackers[key] = nil }
        for key in lastChecks.keys where key.hasPrefix(name + "/") { lastChecks[key] = nil }
    }

    /// Checks every monitor whose time has come.
    func checkMonitors() async {
        let database = self.database
        let all: [(deployment: String, rule: MonitorRule)]
        do { all = try await database.read { db in try await MonitorStore.monitors(deployment: nil, on: db) } } catch {
            logger.error("could not read monitors: \(error)")
            return
        }
        let now = Clock.nowMillis()
        for (name, rule) in all where running[name] != nil {
            let key = "\(name)/\(rule.name)"
            guard now - (lastChecks[key] ?? 0) >= Int64(rule.everySeconds) * 1000 else { continue }
            lastChecks[key] = now
            do {
                try await check(rule, of: name, key: key, at: now)
            } catch {
                logger.error("monitor \(key) could not be checked: \(error)")
            }
        }
    }

    private func check(_ rule: MonitorRule, of name: String, key: String, at now: Int64) async throws {
        let database = self.database
        if alertTrackers[key] == nil {
            // After a restart an alert still firing stays firing: no second notice.
            let firing = try await database.read { db in try await MonitorStore.alerts(deployment: name, firingOnly: true, limit: 1000, on: db) }
            alertTrackers[key] = AlertTracker(firing: firing.contains { $0.monitor == rule.name })
        }
        let reading = try await read(rule, of: name, since: now - Int64(rule.windowSeconds) * 1000)
        // The monitor (or its deployment) may have been deleted while the signal was read.
        guard var tracker = alertTrackers[key] else { return }
        let breached = reading.flatMap { $0.samples >= rule.minimumSamples ? rule.condition.isBreached(by: $0.value) : nil }
        let transition = tracker.observe(breached: breached, at: now, holdMilliseconds: Int64(rule.condition.forSeconds) * 1000)
        // The new state counts once it is stored: a failed write is retried at the next check.
        defer { if alertTrackers[key] != nil { alertTrackers[key] = tracker } }
        switch transition {
        case nil: return
        case .fire?:
            guard let reading else { return }
            var alert = Alert(id: UUID().uuidString.lowercased(), deployment: name, monitor: rule.name, severity: rule.severity,
                              condition: rule.condition.description, state: .firing, value: reading.value, threshold: rule.condition.threshold,
                              features: reading.features, message: reading.detail, firedAt: now)
            do {
                try await database.write { [alert] db in try await MonitorStore.save(alert, on: db) }
            } catch {
                tracker = alertTrackers[key] ?? tracker
                throw error
            }
            notifier.notify(alert, channels: rule.channels)
            alert.actions = await act(on: alert, rule: rule)
            if !alert.actions.isEmpty { try await database.write { [alert] db in try await MonitorStore.save(alert, on: db) } }
        case .resolve?:
            let firing = try await database.read { db in try await MonitorStore.alerts(deployment: name, firingOnly: true, limit: 1000, on: db) }
            for var alert in firing where alert.monitor == rule.name {
                alert.state = .resolved
                alert.resolvedAt = now
                alert.value = reading?.value ?? alert.value
                alert.resolution = reading?.detail
                do {
                    try await database.write { [alert] db in try await MonitorStore.save(alert, on: db) }
                } catch {
                    tracker = alertTrackers[key] ?? tracker
                    throw error
                }
                notifier.notify(alert, channels: rule.channels)
            }
        }
    }

    /// The signal over the window, or nil when there is nothing to judge yet.
    private func read(_ rule: MonitorRule, of name: String, since: Int64) async throws -> MonitorReading? {
        let signal = rule.condition.signal
        switch signal {
        case .latencyP50, .latencyP95, .latencyP99, .errorRate:
            let window = gateway.windows.summary(name, seconds: rule.windowSeconds)
            let value = switch signal {
            case .latencyP50: window.p50Milliseconds
            case .latencyP95: window.p95Milliseconds
            case .latencyP99: window.p99Milliseconds
            default: window.errorRate
            }
            guard let value else { return nil }
            let shown = signal == .errorRate ? String(format: "%.1f %% of %d requests failed", value * 100, window.requests)
                : String(format: "%@ %.1f ms over %d requests", signal.rawValue, value, window.requests)
            return MonitorReading(value: value, samples: window.requests, detail: "\(shown) in the last \(rule.windowSeconds) s")
        case .drift:
            let report: DriftReport
            do { report = try await drift(name: name, revision: nil, since: since).report } catch let error as CairnError where error.httpStatus == 409 {
                return nil  // nothing logged in the window
            }
            let features = report.dataset.columns.filter { $0.column != ReferenceDataset.predictionColumn }
            let drifted = features.filter(\.detected).map(\.column)
            let predictionDrift = report.dataset.columns.first { $0.column == ReferenceDataset.predictionColumn }?.detected
            var detail = drifted.isEmpty ? "no feature drifted" : "drift in \(drifted.joined(separator: ", "))"
            detail += " (\(drifted.count) of \(features.count) features, \(report.currentRows) rows in the last \(rule.windowSeconds) s)"
            if let predictionDrift { detail += predictionDrift ? "; predictions drifted too" : "; predictions did not drift" }
            return MonitorReading(value: features.isEmpty ? 0 : Double(drifted.count) / Double(features.count), samples: report.currentRows,
                                  features: drifted, detail: detail)
        case .accuracy, .precision, .recall, .rmse, .mae:
            let performance = try await performance(name: name, since: since)
            let value = switch signal {
            case .accuracy: performance.accuracy
            case .precision: performance.precision
            case .recall: performance.recall
            case .rmse: performance.rmse
            default: performance.mae
            }
            guard let value else { return nil }
            return MonitorReading(value: value, samples: performance.labelled,
                                  detail: "\(signal.rawValue) \(String(format: "%.4g", value)) over \(performance.labelled) labelled predictions")
        }
    }

    /// Runs the rule's actions; says what each did.
    private func act(on alert: Alert, rule: MonitorRule) async -> [String] {
        var outcomes: [String] = []
        for action in rule.actions {
            switch action {
            case .rollback:
                do {
                    _ = try await rollback(name: alert.deployment, why: "by monitor \(rule.name) (\(alert.condition))")
                    outcomes.append("rolled back")
                } catch {
                    outcomes.append("rollback failed: \(error)")
                }
            case .runPipeline(let pipeline, let params):
                guard let pipelineLauncher else {
                    outcomes.append("pipeline \(pipeline) not started: this server cannot start pipelines")
                    continue
                }
                do {
                    let run = try await pipelineLauncher.launch(pipeline: pipeline, params: params,
                                                                reason: "alert \(alert.id) of \(alert.deployment)/\(rule.name)")
                    outcomes.append("started pipeline \(pipeline) run \(run)")
                } catch {
                    outcomes.append("pipeline \(pipeline) not started: \(error)")
                }
            }
            logger.notice("alert \(alert.id) of \(alert.deployment)/\(rule.name): \(outcomes.last!)")
        }
        return outcomes
    }
}
