/// A deployment as stored: its spec, its revisions (one per model version rolled out), the share
/// of traffic each revision gets, and its rollout progress.
public struct Deployment: Sendable, Equatable {
    public struct Revision: Sendable, Equatable {
        public var number: Int
        public var modelName: String
        public var modelVersion: Int64
        public var createdAt: Int64
        public var percent: Int

        public var modelURI: String { "models:/\(modelName)/\(modelVersion)" }
    }

    public var spec: DeploymentSpec
    public var revisions: [Revision]
    public var progress = DeploymentProgress()
    public var createdAt: Int64
    public var updatedAt: Int64

    public var name: String { spec.name }

    /// The revisions that get traffic, as a split.
    public var split: TrafficSplit {
        let shares = revisions.filter { $0.percent > 0 }.map { TrafficSplit.Share(revision: $0.number, percent: $0.percent) }
        return (try? TrafficSplit(shares)) ?? TrafficSplit.all(to: revisions.last?.number ?? 1)
    }

    /// The revision with all traffic, if one has it.
    public var current: Revision? { revisions.first { $0.percent == 100 } }

    public func revision(_ number: Int) -> Revision? { revisions.first { $0.number == number } }

    /// Keeps `revision` up for an instant rollback until `keepPreviousSeconds` after `now`.
    mutating func keepForRollback(_ revision: Int, from now: Int64) {
        progress.retiring.append(.init(revision: revision, at: now + Int64(spec.keepPreviousSeconds) * 1000))
    }

    /// Gives each listed revision its percent and every other one 0.
    mutating func setTraffic(_ percents: [Int: Int]) {
        for index in revisions.indices { revisions[index].percent = percents[revisions[index].number] ?? 0 }
    }
}
