import CairnCore
import CairnStorage
import Foundation
import NIOPosix
import SQLKit

/// The feature store: applies repositories (validated against their sources, versioned),
/// materializes views into the online store (a time range, or incrementally from each view's
/// watermark; one run per view at a time), serves online features with TTLs honoured, takes
/// pushed values, and builds point-in-time correct training sets.
public actor FeatureStoreService {
    let database: Database
    let online: any OnlineStore
    /// Views being materialized or pushed to ("project/view"), so two writers of one view take turns.
    var busyViews: Set<String> = []
    static let applyLock: Int64 = 0x6665_6174_7572_6573  // "features"
    /// Parsed repositories by project ("" for the latest of any), read again after `cacheSeconds`
    /// (another server may have applied a new version) or at once after an apply here.
    var cached: [String: (repository: FeatureRepository, applied: FeatureRepositoryStore.Applied, readAt: ContinuousClock.Instant)] = [:]
    static let cacheSeconds = Duration.seconds(5)
    /// Read plans by project, repository version and the references asked for: callers name the
    /// same features on every lookup, and resolving 50 of them was a tenth of its time.
    var readPlans: [ReadPlanKey: OnlineReadPlan] = [:]

    struct ReadPlanKey: Hashable {
        let project: String
        let version: Int
        let references: [String]
    }

    public init(database: Database, online: any OnlineStore) {
        self.database = database
        self.online = online
    }

    // MARK: definitions

    /// Reads and validates `yaml` (sources read and type-checked from `baseDirectory`), and
    /// says what applying it would change.
    public func plan(yaml: String, baseDirectory: String) async throws -> (repository: FeatureRepository, plan: RepositoryPlan) {
        let repository = try FeatureRepository(yaml: yaml)
        try repository.validate()
        let base = URL(fileURLWithPath: baseDirectory, isDirectory: true)
        for view in repository.featureViews { _ = try await Self.offActor { try FeatureTable(view: view, of: repository, baseDirectory: base) } }
        let database = self.database
        let previous = try await database.read { db in try await FeatureRepositoryStore.latest(project: repository.project, on: db) }
        return (repository, RepositoryPlan(from: try previous.map { try FeatureRepository(yaml: $0.yaml) }, to: repository))
    }

    /// Records the repository as its project's next version (nothing when the plan is empty).
    public func apply(yaml: String, baseDirectory: String) async throws -> (version: Int, plan: RepositoryPlan) {
        let (repository, plan) = try await plan(yaml: yaml, baseDirectory: baseDirectory)
        let database = self.database
        let version = try await database.write { db -> Int in
            try await database.lockForAllocation(db, key: Self.applyLock)  // two applies of one project take turns (PostgreSQL)
            let latest = try await FeatureRepositoryStore.latest(project: repository.project, on: db)
            if let latest, plan.isEmpty, latest.baseDirectory == baseDirectory { return latest.version }
            let version = (latest?.version ?? 0) + 1
            try await FeatureRepositoryStore.insert(.init(project: repository.project, version: version, yaml: yaml, baseDirectory: baseDirectory,
                                                          appliedAt: Clock.nowMillis()), on: db)
            return version
        }
        cached = [:]
        return (version, plan)
    }

    /// The latest applied repository of `project` (or the latest of any, when not named).
    public func repository(project: String?) async throws -> (repository: FeatureRepository, applied: FeatureRepositoryStore.Applied) {
        let now = ContinuousClock.now
        if let hit = cached[project ?? ""], now - hit.readAt < Self.cacheSeconds { return (hit.repository, hit.applied) }
        let read = try await readRepository(project: project)
        cached[project ?? ""] = (read.repository, read.applied, now)
        return read
    }

    private func readRepository(project: String?) async throws -> (repository: FeatureRepository, applied: FeatureRepositoryStore.Applied) {
        let database = self.database
        guard let applied = try await database.read({ db in try await FeatureRepositoryStore.latest(project: project, on: db) }) else {
            throw CairnError.notFound(project.map { "No feature repository '\($0)' has been applied." } ?? "No feature repository has been applied yet; run `cairn features apply`.")
        }
        return (try FeatureRepository(yaml: applied.yaml), applied)
    }

    // MARK: materialization

    public struct Materialization: Sendable {
        public var view: String
        public var start: Int64
        public var end: Int64
        public var rows: Int
    }

    /// Writes each online view's latest row per entity with an event time in [start, end]
    /// (microseconds) to the online store.
    public func materialize(project: String?, start: Int64?, end: Int64, views: [String]?) async throws -> [Materialization] {
        let (repository, applied) = try await repository(project: project)
        let base = URL(fileURLWithPath: applied.baseDirectory, isDirectory: true)
        var results: [Materialization] = []
        for view in try selected(views, of: repository) {
            let key = "\(repository.project)/\(view.name)"
            try await claim(key)
            defer { release(key) }
            let from: Int64
            if let start { from = start } else { from = try await incrementalStart(view, project: repository.project) }
            guard from <= end else { throw CairnError.invalidParameter("The start (\(EventTime.format(from))) is after the end (\(EventTime.format(end))).") }
            let rows = try await Self.offActor {
                let table = try FeatureTable(view: view, of: repository, baseDirectory: base)
                var latest: [Int32: Int] = [:]
                for index in 0..<table.count where table.eventTimes[index] >= from && table.eventTimes[index] <= end {
                    // The most recent row per entity; of two equally recent ones, the later in the file (as the join picks).
                    if let current = latest[table.keyIDs[index]], table.recency(index) < table.recency(current) { continue }
                    latest[table.keyIDs[index]] = index
                }
                return latest.map { key, index in
                    OnlineRow(key: table.keyNames[Int(key)], eventTime: table.eventTimes[index], createdTime: table.createdTimes[index],
                              values: Dictionary(uniqueKeysWithValues: view.features.enumerated().compactMap { position, feature in
                                  table.columns[position][index].map { (feature.name, $0) }
                              }))
                }
            }
            let written = try await online.write(project: repository.project, view: view.name, rows: rows)
            try await recordFreshness(project: repository.project, view: view.name, rows: rows)
            let database = self.database
            try await database.write { db in
                try await db.raw("""
                    INSERT INTO feature_materializations (project, view_name, start_time, end_time, rows_written, finished_at)
                    VALUES (\(bind: repository.project), \(bind: view.name), \(bind: from), \(bind: end), \(bind: written), \(bind: Clock.nowMillis()))
                    """).run()
            }
            results.append(Materialization(view: view.name, start: from, end: end, rows: written))
        }
        return results
    }

    /// Where an incremental run of `view` starts: the end of its last run, or Feast's defaults
    /// (now − TTL, or 52 weeks back without a TTL).
    func incrementalStart(_ view: FeatureRepository.FeatureView, project: String) async throws -> Int64 {
        let database = self.database
        let watermark = try await database.read { db in
            try await db.raw("SELECT MAX(end_time) AS watermark FROM feature_materializations WHERE project = \(bind: project) AND view_name = \(bind: view.name)")
                .first()?.decode(column: "watermark", as: Int64?.self)
        }
        if let watermark { return watermark }
        let now = Clock.nowMillis() * 1000
        return now - (view.ttlSeconds > 0 ? view.ttlSeconds : 52 * 7 * 86_400) * 1_000_000
    }

    /// Keeps the newest event time written online per view (what freshness is measured from).
    func recordFreshness(project: String, view: String, rows: [OnlineRow]) async throws {
        guard let newest = rows.map(\.eventTime).max() else { return }
        let database = self.database
        try await database.write { db in
            let stored = try await db.raw("""
                SELECT newest_event_time FROM feature_freshness WHERE project = \(bind: project) AND view_name = \(bind: view)
                """).first()?.decode(column: "newest_event_time", as: Int64.self)
            guard stored.map({ newest > $0 }) ?? true else { return }
            try await db.raw("DELETE FROM feature_freshness WHERE project = \(bind: project) AND view_name = \(bind: view)").run()
            try await db.raw("""
                INSERT INTO feature_freshness (project, view_name, newest_event_time) VALUES (\(bind: project), \(bind: view), \(bind: newest))
                """).run()
        }
    }

    func selected(_ names: [String]?, of repository: FeatureRepository) throws -> [FeatureRepository.FeatureView] {
        guard let names, !names.isEmpty else { return repository.featureViews.filter(\.online) }
        return try names.map { name in
            guard let view = repository.view(name) else { throw CairnError.notFound("Feature view '\(name)' does not exist in project '\(repository.project)'.") }
            guard view.online else { throw CairnError.invalidParameter("Feature view '\(name)' is not online.") }
            return view
        }
    }

    func claim(_ key: String) async throws {
        while busyViews.contains(key) { try await Task.sleep(for: .milliseconds(5)) }
        busyViews.insert(key)
    }

    func release(_ key: String) { busyViews.remove(key) }

    // MARK: online

    /// The online values of `references` (features, views, on-demand views or a feature service)
    /// for each entity (join key or request field → one value per entity); values older than
    /// their view's TTL come back as null with status OUTSIDE_MAX_AGE. On-demand features are
    /// computed from the values read and the request fields, by the same code as offline.
    public func onlineFeatures(project: String?, references: [String], entities: [String: [FeatureValue]],
                               fullFeatureNames: Bool = false) async throws -> OnlineFeatures {
        let (repository, applied) = try await repository(project: project)
        let plan = try readPlan(references, in: repository, version: applied.version)
        let selection = plan.selection
        let counts = Set(entities.values.map(\.count))
        guard counts.count == 1, let count = counts.first, count > 0 else {
            throw CairnError.invalidParameter("Give every join key the same, non-zero number of values (got \(entities.mapValues(\.count))).")
        }
        var columns: [OnlineFeatures.Column] = []
        for name in plan.keyNames {
            guard let values = entities[name] else {
                throw CairnError.invalidParameter("Missing entity key '\(name)' (the requested features need \(plan.keyNames.joined(separator: ", "))).")
            }
            columns.append(.init(name: name, values: values, statuses: Array(repeating: .present, count: count), eventTimes: Array(repeating: 0, count: count)))
        }
        for field in selection.requestFields where entities[field.name] == nil {
            throw CairnError.invalidParameter("Missing request field '\(field.name)' (the on-demand features asked for need it).")
        }
        let now = Clock.nowMillis() * 1000
        // One column per stored feature read ("view.feature"), filled by index: the per-value work
        // of a 100-entity request is 5,000 values, so no string-keyed lookups in the loop.
        var stored: [String: OnlineFeatures.Column] = [:]
        stored.reserveCapacity(plan.views.reduce(0) { $0 + $1.features.count })
        for read in plan.views {
            let view = read.view
            let keys = (0..<count).map { row in FeatureTable.key(read.joinKeys.map { entities[$0]![row].keyText }) }
            let found = try await online.read(project: repository.project, view: view.name, keys: count == 1 ? keys : Array(Set(keys)))
            let rows = keys.map { found[$0] }
            let expired = rows.map { row in row.map { view.ttlSeconds > 0 && $0.eventTime < now - view.ttlSeconds * 1_000_000 } ?? false }
            for feature in read.features {
                var column = OnlineFeatures.Column(name: feature.name, values: [], statuses: [], eventTimes: [])
                column.values.reserveCapacity(count)
                column.statuses.reserveCapacity(count)
                column.eventTimes.reserveCapacity(count)
                for (index, row) in rows.enumerated() {
                    guard let row else {
                        column.values.append(nil)
                        column.statuses.append(.notFound)
                        column.eventTimes.append(0)
                        continue
                    }
                    let value = expired[index] ? nil : row.values[feature.name]?.typed(feature.type)
                    column.values.append(value)
                    column.statuses.append(expired[index] ? .outsideMaxAge : value == nil ? .nullValue : .present)
                    column.eventTimes.append(row.eventTime)
                }
                stored[feature.qualified] = column
            }
        }
        var derived: [String: [FeatureValue?]] = [:]
        if !selection.onDemand.isEmpty {
            let names = selection.onDemand.flatMap { view in view.features.map { "\(view.name).\($0.name)" } }
            for name in names { derived[name] = Array(repeating: nil, count: count) }
            for row in 0..<count {
                var request: [String: FeatureValue] = [:]
                for field in selection.requestFields {
                    guard let value = entities[field.name]![row].typed(field.type) else {
                        throw CairnError.invalidParameter("Request field '\(field.name)' must be \(field.type.rawValue) (got \(entities[field.name]![row])).")
                    }
                    request[field.name] = value
                }
                var known: [String: FeatureValue] = [:]
                for (name, column) in stored { if let value = column.values[row] { known[name] = value } }
                let values = selection.derive(stored: known, request: request)
                for name in names { derived[name]![row] = values[name] }
            }
        }
        for output in plan.outputs {
            let name = output.qualified
            let outputName = fullFeatureNames ? output.fullName : output.name
            if let values = derived[name] {
                columns.append(.init(name: outputName, values: values, statuses: values.map { $0 == nil ? .nullValue : .present },
                                     eventTimes: Array(repeating: 0, count: count)))
            } else {
                var column = stored[name]!
                column.name = outputName
                columns.append(column)
            }
        }
        return OnlineFeatures(columns: columns, keyCount: plan.keyNames.count)
    }

    func readPlan(_ references: [String], in repository: FeatureRepository, version: Int) throws -> OnlineReadPlan {
        let key = ReadPlanKey(project: repository.project, version: version, references: references)
        if let known = readPlans[key] { return known }
        let plan = OnlineReadPlan(try FeatureSelection(references, in: repository), in: repository)
        if readPlans.count >= 256 { readPlans.removeAll() }  // bounded: callers' distinct lists are few
        readPlans[key] = plan
        return plan
    }

    /// Writes pushed rows (column-oriented, with the view's join keys, `event_timestamp` and
    /// features) to the online store, the offline source, or both. Values must fit the types.
    public func push(project: String?, view viewName: String, columns: [String: [String?]], toOnline: Bool, toOffline: Bool) async throws -> Int {
        let (repository, applied) = try await repository(project: project)
        guard let view = repository.view(viewName) else { throw CairnError.notFound("Feature view '\(viewName)' does not exist in project '\(repository.project)'.") }
        let table = try PushedRows(view: view, repository: repository, columns: columns)
        let key = "\(repository.project)/\(view.name)"
        try await claim(key)
        defer { release(key) }
        if toOffline {
            try table.append(toSourceOf: view, repository: repository, baseDirectory: URL(fileURLWithPath: applied.baseDirectory, isDirectory: true))
        }
        if toOnline {
            let rows = table.onlineRows(view: view)
            _ = try await online.write(project: repository.project, view: view.name, rows: rows)
            try await recordFreshness(project: repository.project, view: view.name, rows: rows)
        }
        return table.count
    }
}

extension FeatureStoreService {
    /// How fresh each online view is: its newest value's event time, and its last materialization.
    public struct Freshness: Sendable {
        public var project: String
        public var view: String
        /// Microseconds since the epoch; nil when nothing is online yet.
        public var newestEventTime: Int64?
        public var lastMaterialization: Materialization?
        public var lastMaterializedAt: Int64?

        /// Seconds between the newest value online and `nowMillis`.
        public func staleness(atMillis nowMillis: Int64) -> Double? {
            newestEventTime.map { Double(nowMillis) / 1000 - Double($0) / 1_000_000 }
        }
    }

    /// Every online view of every applied project.
    public func freshness() async throws -> [Freshness] {
        let database = self.database
        let newest = try await database.read { db in
            try await db.raw("SELECT project, view_name, newest_event_time FROM feature_freshness").all()
                .map { row in (try row.decode(column: "project", as: String.self) + "/" + row.decode(column: "view_name", as: String.self),
                               try row.decode(column: "newest_event_time", as: Int64.self)) }
        }
        let newestByView = Dictionary(newest, uniquingKeysWith: max)
        let lastRuns = try await lastMaterializations()
        var result: [Freshness] = []
        for project in try await projects() {
            let repository = try await repository(project: project).repository
            for view in repository.featureViews where view.online {
                let last = lastRuns["\(project)/\(view.name)"]
                result.append(Freshness(project: project, view: view.name, newestEventTime: newestByView["\(project)/\(view.name)"],
                                        lastMaterialization: last?.run, lastMaterializedAt: last?.finishedAt))
            }
        }
        return result
    }

    /// Each view's latest materialization run, by "project/view".
    func lastMaterializations() async throws -> [String: (run: Materialization, finishedAt: Int64)] {
        let database = self.database
        let rows = try await database.read { db in
            try await db.raw("""
                SELECT m.project, m.view_name, m.start_time, m.end_time, m.rows_written, m.finished_at FROM feature_materializations m
                JOIN (SELECT project, view_name, MAX(finished_at) AS finished FROM feature_materializations GROUP BY project, view_name) latest
                  ON m.project = latest.project AND m.view_name = latest.view_name AND m.finished_at = latest.finished
                """).all()
        }
        var result: [String: (run: Materialization, finishedAt: Int64)] = [:]
        for row in rows {
            let view = try row.decode(column: "view_name", as: String.self)
            result["\(try row.decode(column: "project", as: String.self))/\(view)"] = (
                Materialization(view: view, start: try row.decode(column: "start_time", as: Int64.self), end: try row.decode(column: "end_time", as: Int64.self),
                                rows: try row.decode(column: "rows_written", as: Int.self)),
                try row.decode(column: "finished_at", as: Int64.self))
        }
        return result
    }

    /// The shape of `view`'s offline data, read from its source now.
    public func statistics(project: String?, view name: String) async throws -> FeatureStatistics {
        let (repository, applied) = try await repository(project: project)
        guard let view = repository.view(name) else { throw CairnError.notFound("Feature view '\(name)' does not exist in project '\(repository.project)'.") }
        let base = URL(fileURLWithPath: applied.baseDirectory, isDirectory: true)
        return try await Self.offActor { FeatureStatistics(table: try FeatureTable(view: view, of: repository, baseDirectory: base), view: view) }
    }

    /// Runs `work` (reading a source: seconds for a large file) on a thread of NIO's blocking
    /// pool. On the actor it would hold back every online lookup meanwhile, and on a cooperative
    /// thread it would hold one of the few the server's requests share.
    nonisolated static func offActor<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    public func projects() async throws -> [String] {
        let database = self.database
        return try await database.read { db in
            try await db.raw("SELECT DISTINCT project FROM feature_repositories ORDER BY project").all().map { try $0.decode(column: "project", as: String.self) }
        }
    }

    /// Materialization runs, newest first.
    public func materializations(project: String?, limit: Int) async throws -> [(project: String, run: Materialization, finishedAt: Int64)] {
        let database = self.database
        let filter: SQLQueryString = project.map { "WHERE project = \(bind: $0)" } ?? ""
        return try await database.read { db in
            try await db.raw("""
                SELECT project, view_name, start_time, end_time, rows_written, finished_at FROM feature_materializations \(filter)
                ORDER BY finished_at DESC LIMIT \(bind: limit)
                """).all().map { row in
                (try row.decode(column: "project", as: String.self),
                 Materialization(view: try row.decode(column: "view_name", as: String.self), start: try row.decode(column: "start_time", as: Int64.self),
                                 end: try row.decode(column: "end_time", as: Int64.self), rows: try row.decode(column: "rows_written", as: Int.self)),
                 try row.decode(column: "finished_at", as: Int64.self))
            }
        }
    }
}
