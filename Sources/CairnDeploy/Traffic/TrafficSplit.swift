import CairnCore
import Crypto

/// How a deployment's traffic is shared between its revisions: whole-percent weights that sum to
/// 100. Requests with a routing key (a user or session id) always land on the same revision while
/// the weights stay the same (A/B assignment); requests without one are spread at random.
public struct TrafficSplit: Sendable, Equatable {
    public struct Share: Sendable, Equatable {
        public var revision: Int
        public var percent: Int

        public init(revision: Int, percent: Int) {
            self.revision = revision
            self.percent = percent
        }
    }

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public let shares: [Share]
    /// Routing is decided on 10,000 buckets: 0.01 % steps.
    static let buckets: UInt64 = 10_000

    public init(_ shares: [Share]) throws(Invalid) {
        guard !shares.isEmpty else { throw Invalid(description: "A traffic split needs at least one revision.") }
        if let negative = shares.first(where: { !(0...100).contains($0.percent) }) {
            throw Invalid(description: "Revision \(negative.revision) has weight \(negative.percent); weights are whole percents from 0 to 100.")
        }
        guard Set(shares.map(\.revision)).count == shares.count else { throw Invalid(description: "A revision appears twice in the traffic split.") }
        let total = shares.reduce(0) { $0 + $1.percent }
        guard total == 100 else { throw Invalid(description: "Weights sum to \(total); they must sum to 100.") }
        self.shares = shares
    }

    /// All traffic to one revision.
    public static func all(to revision: Int) -> TrafficSplit {
        // 100 % to one revision is always valid.
        try! TrafficSplit([Share(revision: revision, percent: 100)])
    }

    /// The revision for a request: by its routing key's hash when it has one, else at random.
    public func revision(forKey key: String?) -> Int {
        var random = SplitMixRandom()
        let bucket = key.map(Self.bucket) ?? UInt64.random(in: 0..<Self.buckets, using: &random)
        var upper: UInt64 = 0
        for share in shares {
            upper += UInt64(share.percent) * (Self.buckets / 100)
            if bucket < upper { return share.revision }
        }
        return shares.last(where: { $0.percent > 0 })?.revision ?? shares[0].revision
    }

    /// A key's bucket: the first 8 bytes of its SHA-256, so assignment is uniform and the same on
    /// every gateway and after every restart.
    static func bucket(_ key: String) -> UInt64 {
        let digest = SHA256.hash(data: Array(key.utf8))
        let prefix = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return prefix % buckets
    }

    public func percent(of revision: Int) -> Int {
        shares.first { $0.revision == revision }?.percent ?? 0
    }
}
